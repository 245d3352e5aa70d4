// The admin's DID pages: the list's filters as its query string names them (one schema for the
// list, its export and the rate plan bulk assignment, which all select numbers the same way), and
// the small forms around one number. The DID terms form itself is parsed by the domain's
// parseDidTerms, which the CSV import shares.
import { z } from 'zod';
import type { DidFilters } from '../../../db/repos/dids.ts';
import { lenientFilter, trimmedOrUndefined } from '../../forms/fields.ts';
import { formValues } from '../../middleware/validate.ts';

export const didFilterSchema = z.object({
  q: lenientFilter(z.string().trim().max(32).transform((value) => value.replace(/[^\d+]/g, ''))),
  country: lenientFilter(z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/)),
  province: lenientFilter(z.string().trim().max(100)),
  city: lenientFilter(z.string().trim().max(100)),
  provider: lenientFilter(z.coerce.number().int().positive()),
  status: lenientFilter(z.enum(['active', 'inactive'])),
  holder: lenientFilter(z.enum(['stock', 'reseller', 'customer'])),
  billing_type: lenientFilter(z.enum(['one_time', 'recurring'])),
  archived: lenientFilter(z.enum(['hide', 'include', 'only'])),
});

export type DidFilterQuery = z.infer<typeof didFilterSchema>;

export function didFiltersOf(query: DidFilterQuery): DidFilters {
  return {
    q: query.q || undefined,
    country: query.country,
    province: query.province,
    city: query.city,
    providerId: query.provider,
    status: query.status,
    holder: query.holder,
    billingType: query.billing_type,
    archived: query.archived,
  };
}

/** The list's query string: the shared filters plus sorting and paging. */
export const listQuerySchema = didFilterSchema.extend({
  sort: lenientFilter(z.enum(['number', 'country', 'monthly_fee', 'created'])),
  dir: lenientFilter(z.enum(['asc', 'desc'])),
  page: lenientFilter(z.coerce.number().int().min(1).max(1_000_000)),
  per_page: lenientFilter(z.coerce.number().int().refine((value) => [25, 50, 100].includes(value))),
});

export type ListQuery = z.infer<typeof listQuerySchema>;

/** The create and edit form: only the category is the route's to check; the terms are the domain's. */
export const didFormSchema = z
  .looseObject({ category: z.literal('did', 'DID is the only product category on sale').optional() })
  .transform(formValues);

export const statusFormSchema = z.object({ status: z.enum(['active', 'inactive'], 'Choose active or inactive') });

export const assignFormSchema = z.object({
  account: z.coerce.number().int().positive('Choose the account'),
  charge: z.enum(['yes', 'no'], 'Choose whether to charge them'),
  purchase_key: z.string().optional().catch(undefined),
});

/** The import's file comes as the body; its name and defaults in the query string. */
export const importQuerySchema = z.object({
  filename: z.preprocess((value) => (typeof value === 'string' ? value.trim() : ''), z.string()),
  country: z.preprocess((value) => (typeof value === 'string' ? trimmedOrUndefined(value) : undefined), z.string().optional()),
  provider: z.preprocess(
    trimmedOrUndefined,
    z.coerce.number({ message: 'Choose a provider from the list' }).refine(Number.isSafeInteger, 'Choose a provider from the list').optional(),
  ),
});

export const importFileSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value : ''),
  z
    .string()
    .refine((content) => content.trim() !== '', { message: 'Choose a CSV file with a header row', path: ['file'], abort: true })
    // A NUL byte cannot be stored as text; it is also what a UTF-16 file looks like read as UTF-8.
    .refine((content) => !content.includes('\u0000'), { message: 'The file holds NUL bytes: save it as CSV in UTF-8', path: ['file'] }),
);
