// The providers list as CSV, in the list's filter (name contains), with each one's DID count.
import type { Router } from 'express';
import { listProviderBatch, type ProviderListRow } from '../../../db/repos/providers.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { validate } from '../../middleware/validate.ts';
import { csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { listQuerySchema } from './schema.ts';

const PROVIDERS_CSV: CsvTable<ProviderListRow> = {
  columns: ['id', 'name', 'contact_name', 'email', 'phone', 'did_count', 'notes', 'created_at'],
  numeric: ['id', 'did_count'],
  record: (row) => [row.id, row.name, csvText(row.contact_name), csvText(row.email), csvText(row.phone), row.did_count, csvText(row.notes), csvTime(row.created_at)],
};

/** GET /admin/providers/export.csv: mounted before the provider pages, whose path would take it. */
export function providersExportRoute(router: Router, { db }: AppContext): void {
  const exportQuery = validate(listQuerySchema, { from: 'query', answer: 'text' });
  router.get('/export.csv', exportQuery, async (_req, res) => {
    const { q } = exportQuery.data(res);
    const batches = keysetBatches((after: number | undefined, limit: number) => listProviderBatch(db, q, after, limit), (row) => row.id);
    await sendCsv(res, 'providers.csv', PROVIDERS_CSV, batches);
  });
}
