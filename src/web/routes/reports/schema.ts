// The reports page's query string: which report, the date range and the filters.
import { z } from 'zod';
import { REPORT_NAMES } from '../../../services/reports.ts';
import { DATES_IN_ORDER, datesInOrder, emptyToUndefined, optionalDate, pageNumber, trimmedOrUndefined } from '../../forms/fields.ts';

const optionalId = (what: string) =>
  z.preprocess(emptyToUndefined, z.coerce.number({ message: `Choose a ${what} from the list` }).int(`Choose a ${what} from the list`).min(1, `Choose a ${what} from the list`).optional());

export const reportQuerySchema = z
  .object({
    report: z.preprocess(emptyToUndefined, z.enum(REPORT_NAMES, { message: 'Choose a report from the list' }).default('day')),
    from: optionalDate,
    to: optionalDate,
    reseller: optionalId('reseller'),
    provider: optionalId('provider'),
    country: z.preprocess(
      (value) => (typeof trimmedOrUndefined(value) === 'string' ? String(trimmedOrUndefined(value)).toUpperCase() : undefined),
      z.string().regex(/^[A-Z]{2}$/, 'Choose a country from the list').optional(),
    ),
    page: pageNumber,
  })
  .refine(datesInOrder, DATES_IN_ORDER)
  .refine((query) => !query.from || !query.to || Date.parse(query.to) - Date.parse(query.from) <= 1096 * 86_400_000, {
    path: ['to'], message: 'A report covers at most three years',
  });

export type ReportQuery = z.infer<typeof reportQuerySchema>;
