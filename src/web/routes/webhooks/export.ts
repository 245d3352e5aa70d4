// An endpoint's delivery log as CSV, in the log's filter (status): its outbox messages, in the
// outbox export's columns. Another account's endpoint is a 404, as its page is.
import type { Router } from 'express';
import { listOutboxBatch } from '../../../db/queries/outbox.ts';
import type { Db } from '../../../db/knex.ts';
import { findOwnEndpoint } from '../../../services/webhooks.ts';
import { keysetBatches } from '../../../services/csv-export.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { idParam, validate } from '../../middleware/validate.ts';
import { sendCsv } from '../../render.ts';
import { OUTBOX_CSV } from '../outbox/export.ts';
import { deliveriesQuerySchema } from './schema.ts';

/** GET <area>/webhooks/:id/export.csv. */
export function deliveriesExportRoute(router: Router, db: Db): void {
  const exportQuery = validate(deliveriesQuerySchema, { from: 'query', answer: 'text' });
  router.get('/:id/export.csv', exportQuery, async (req, res) => {
    const endpoint = await findOwnEndpoint(db, currentAccount(res).id, idParam(req, 'id', 'There is no such webhook endpoint'));
    const filters = { channel: 'webhook' as const, endpointId: endpoint.id, status: exportQuery.data(res).status };
    const batches = keysetBatches((before: number | undefined, limit: number) => listOutboxBatch(db, filters, before, limit), (row) => row.id);
    await sendCsv(res, `webhook-${endpoint.id}-deliveries.csv`, OUTBOX_CSV, batches);
  });
}
