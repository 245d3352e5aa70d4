// The reports page's query string: which report, the date range and the filters.
import { z } from 'zod';
import { REPORT_NAMES } from '../../../services/reports.ts';
import { DATES_IN_ORDER, datesInOrder, emptyToUndefined, optionalDate, pageNumber, trimmedOrUndefined } from '../../forms/fields.ts';
import { countryCode } from '../../forms/number-fields.ts';

const optionalId = (what: string) =>
  z.preprocess(emptyToUndefined, z.coerce.number({ message: `Choose a ${what} from the list` }).int(`Choose a ${what} from the list`).min(1, `Choose a ${what} from the list`).optional());

export const reportQuerySchema = z
  .object({
    report: z.preprocess(emptyToUndefined, z.enum(REPORT_NAMES, { message: 'Choose a report from the list' }).default('day')),
    from: optionalDate,
    to: optionalDate,
    // The per-number report's month (an <input type=month>).
    month: z.preprocess(trimmedOrUndefined, z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Choose a month (YYYY-MM)').optional()),
    reseller: optionalId('reseller'),
    provider: optionalId('provider'),
    country: countryCode,
    page: pageNumber,
  })
  .refine(datesInOrder, DATES_IN_ORDER)
  .refine((query) => !query.from || !query.to || Date.parse(query.to) - Date.parse(query.from) <= 1096 * 86_400_000, {
    path: ['to'], message: 'A report covers at most three years',
  });

export type ReportQuery = z.infer<typeof reportQuerySchema>;
