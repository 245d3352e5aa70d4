// The "API keys" page: the new key form.
import { z } from 'zod';
import { API_SCOPES, allowedIpProblem } from '../../../domain/api-keys.ts';
import { emptyToUndefined } from '../../forms/fields.ts';

export const newKeySchema = z.object({
  name: z.string({ message: 'Name the key' }).trim().min(1, 'Name the key, like "storefront"').max(100, 'At most 100 characters'),
  scopes: z.preprocess(
    (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.enum(API_SCOPES, { message: 'Choose from the list' })).min(1, 'Tick at least one scope'),
  ),
  expires_on: z.preprocess(emptyToUndefined, z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date like 2027-01-31').optional()),
  allowed_ips: z
    .string()
    .default('')
    .transform((text) => text.split(/[\s,]+/).filter(Boolean))
    .superRefine((entries, ctx) => {
      const problem = entries.map(allowedIpProblem).find(Boolean);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
      if (entries.length > 50) ctx.addIssue({ code: 'custom', message: 'At most 50 addresses or ranges' });
    }),
});
