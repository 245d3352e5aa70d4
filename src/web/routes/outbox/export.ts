// The outbox as CSV, in the list's filters: each mail or webhook, where it went and how its
// delivery stands (not its payload, which the message page shows one at a time).
import type { Router } from 'express';
import { listOutboxBatch, type OutboxFilters, type OutboxListRow } from '../../../db/queries/outbox.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { validate } from '../../middleware/validate.ts';
import { csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { outboxQuerySchema } from './schema.ts';

/** Also an endpoint's delivery log (webhooks/export.ts): the same messages, fewer of them. */
export const OUTBOX_CSV: CsvTable<OutboxListRow> = {
  columns: ['id', 'created_at', 'channel', 'event', 'account_id', 'account', 'recipient', 'status', 'attempts', 'next_attempt_at', 'delivered_at', 'failed_at', 'last_error'],
  numeric: ['id', 'account_id', 'attempts'],
  record: (row) => [
    row.id, csvTime(row.created_at), row.channel, row.event, csvText(row.account_id), csvText(row.account_name), row.recipient, row.status, row.attempts,
    csvTime(row.next_attempt_at), csvTime(row.delivered_at), csvTime(row.failed_at), csvText(row.last_error),
  ],
};

export function outboxFiltersOf(query: Pick<OutboxFilters, 'channel' | 'status' | 'event' | 'recipient'>): OutboxFilters {
  return { channel: query.channel, status: query.status, event: query.event, recipient: query.recipient };
}

/** GET /admin/outbox/export.csv, newest first: mounted before the message pages, whose path would take it. */
export function outboxExportRoute(router: Router, { db }: AppContext): void {
  const exportQuery = validate(outboxQuerySchema, { from: 'query', answer: 'text' });
  router.get('/export.csv', exportQuery, async (_req, res) => {
    const filters = outboxFiltersOf(exportQuery.data(res));
    const batches = keysetBatches((before: number | undefined, limit: number) => listOutboxBatch(db, filters, before, limit), (row) => row.id);
    await sendCsv(res, 'outbox.csv', OUTBOX_CSV, batches);
  });
}
