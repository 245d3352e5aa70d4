// The Outbox list's filters.
import { z } from 'zod';
import { lenientFilter, pageNumber } from '../../forms/fields.ts';

export const outboxQuerySchema = z.object({
  channel: lenientFilter(z.enum(['mail', 'webhook'])),
  status: lenientFilter(z.enum(['pending', 'delivered', 'failed'])),
  event: lenientFilter(z.string().trim().regex(/^[a-z]+(\.[a-z_]+)+$/).max(60)),
  recipient: lenientFilter(z.string().trim().max(200)),
  page: pageNumber,
});
