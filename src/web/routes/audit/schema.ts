// The Audit log's filters (query string).
import { z } from 'zod';
import { DATES_IN_ORDER, datesInOrder, emptyToUndefined, optionalDate, pageNumber } from '../../forms/fields.ts';

export const auditQuerySchema = z
  .object({
    actor: z.preprocess(emptyToUndefined, z.string().regex(/^\d{1,15}$/, 'Choose an account from the list').transform(Number).optional()),
    entity: z.preprocess(emptyToUndefined, z.string().regex(/^[a-z_]{1,40}$/, 'Choose an entity type from the list').optional()),
    action: z.preprocess(emptyToUndefined, z.string().regex(/^[a-z_.]{1,60}$/, 'Choose an action from the list').optional()),
    from: optionalDate,
    to: optionalDate,
    page: pageNumber,
  })
  .refine(datesInOrder, DATES_IN_ORDER);

export type AuditQuery = z.infer<typeof auditQuerySchema>;
