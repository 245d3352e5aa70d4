// The Rejected CDRs list's filters.
import { z } from 'zod';
import { emptyToUndefined, optionalDate, pageNumber } from '../../forms/fields.ts';

export const querySchema = z.object({
  from: optionalDate,
  to: optionalDate,
  source: z.preprocess(emptyToUndefined, z.enum(['freeswitch', 'api'], { message: 'Choose FreeSWITCH or API' }).optional()),
  page: pageNumber,
});
