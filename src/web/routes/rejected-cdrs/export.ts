// Rejected CDRs as CSV, in the list's filters: each record with its reason and the payload as it came.
import type { Router } from 'express';
import { listRejectedCdrBatch, type RejectedCdrFilters, type RejectedCdrRow } from '../../../db/repos/rejected-cdrs.ts';
import { callFiltersOf } from '../../../services/call-lists.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { validate } from '../../middleware/validate.ts';
import { csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { querySchema } from './schema.ts';

const REJECTED_CSV: CsvTable<RejectedCdrRow> = {
  columns: ['id', 'received_at', 'source', 'switch', 'uuid', 'reason', 'payload'],
  numeric: ['id'],
  record: (row) => [row.id, csvTime(row.received_at), row.source, csvText(row.switch_name), csvText(row.uuid), row.reason, row.payload],
};

/** The page's filters (UTC days, both included) as the query's bounds. */
export function rejectedFiltersOf(query: { from?: string | undefined; to?: string | undefined; source?: RejectedCdrFilters['source'] }): RejectedCdrFilters {
  const dates = callFiltersOf({ from: query.from, to: query.to });
  return { from: dates.from, before: dates.before, source: query.source };
}

/** GET /admin/rejected-cdrs/export.csv, newest first: mounted before the record pages, whose path would take it. */
export function rejectedExportRoute(router: Router, { db }: AppContext): void {
  const exportQuery = validate(querySchema, { from: 'query', answer: 'text' });
  router.get('/export.csv', exportQuery, async (_req, res) => {
    const filters = rejectedFiltersOf(exportQuery.data(res));
    const batches = keysetBatches((before: number | undefined, limit: number) => listRejectedCdrBatch(db, filters, before, limit), (row) => row.id);
    await sendCsv(res, 'rejected-cdrs.csv', REJECTED_CSV, batches);
  });
}
