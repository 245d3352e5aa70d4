// The Calls list's filters.
import { z } from 'zod';
import { DATES_IN_ORDER, datesInOrder, emptyToUndefined, optionalDate, pageNumber } from '../../forms/fields.ts';

export const callsQuerySchema = z
  .object({
    from: optionalDate,
    to: optionalDate,
    number: z.preprocess(emptyToUndefined, z.string().trim().regex(/^\+?[0-9 ()-]{1,20}$/, 'Digits of the number, like 415555 or +14155550100').optional()),
    page: pageNumber,
  })
  .refine(datesInOrder, DATES_IN_ORDER);
