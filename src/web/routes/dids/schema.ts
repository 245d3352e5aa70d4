// The DID list's filters as its query string names them: one schema for the list, its export
// and the rate plan bulk assignment, which all select numbers the same way.
import { z } from 'zod';
import type { DidFilters } from '../../../db/repos/dids.ts';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
/** A value that makes no sense is ignored rather than an error page. */
export const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional()).catch(undefined);

export const didFilterSchema = z.object({
  q: optional(z.string().trim().max(32).transform((value) => value.replace(/[^\d+]/g, ''))),
  country: optional(z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/)),
  province: optional(z.string().trim().max(100)),
  city: optional(z.string().trim().max(100)),
  provider: optional(z.coerce.number().int().positive()),
  status: optional(z.enum(['active', 'inactive'])),
  holder: optional(z.enum(['stock', 'reseller', 'customer'])),
  billing_type: optional(z.enum(['one_time', 'recurring'])),
  archived: optional(z.enum(['hide', 'include', 'only'])),
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
