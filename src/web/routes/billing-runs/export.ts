// The billing runs list as CSV, in the list's filters: what each run did and for how much.
import type { Router } from 'express';
import { findBillingRun, listBillingRunBatch, listRunEventBatch, type BillingRunRow, type RunEventRow, type RunFilters } from '../../../db/repos/billing-runs.ts';
import { NotFoundError } from '../../../errors.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { idParam, validate } from '../../middleware/validate.ts';
import { csvAmount, csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { eventsQuerySchema, runsQuerySchema } from './schema.ts';

const COUNTS = ['renewed_count', 'renewed_total', 'reactivated_count', 'suspended_count', 'suspended_total', 'released_count', 'expired_count', 'failed_count'] as const;

export function runFiltersOf(query: { trigger?: RunFilters['trigger']; status?: RunFilters['status']; activity?: 'all' | 'active' | undefined }): RunFilters {
  return { trigger: query.trigger, status: query.status, active: query.activity === 'active' };
}

function runsTable(decimals: number): CsvTable<BillingRunRow> {
  const amount = csvAmount(decimals);
  return {
    columns: ['id', 'trigger', 'status', 'clock_at', 'started_at', 'finished_at', ...COUNTS, 'error'],
    numeric: ['id', ...COUNTS],
    record: (row) => [
      row.id, row.trigger, row.status, csvTime(row.clock_at), csvTime(row.started_at), csvTime(row.finished_at),
      row.renewed_count, amount(row.renewed_total), row.reactivated_count, row.suspended_count, amount(row.suspended_total),
      row.released_count, row.expired_count, row.failed_count, csvText(row.error),
    ],
  };
}

/** GET /admin/billing-runs/export.csv, newest run first: mounted before the run pages, whose path would take it. */
export function runsExportRoute(router: Router, { db, config }: AppContext): void {
  const exportQuery = validate(runsQuerySchema, { from: 'query', answer: 'text' });
  router.get('/export.csv', exportQuery, async (_req, res) => {
    const filters = runFiltersOf(exportQuery.data(res));
    const batches = keysetBatches((before: number | undefined, limit: number) => listBillingRunBatch(db, filters, before, limit), (row) => row.id);
    await sendCsv(res, 'billing-runs.csv', runsTable(config.moneyDecimals), batches);
  });
}

function eventsTable(decimals: number): CsvTable<RunEventRow> {
  const amount = csvAmount(decimals);
  return {
    columns: ['kind', 'number', 'account_id', 'account', 'account_role', 'subscription_id', 'period_start', 'period_end', 'amount', 'ledger_entry_id', 'note', 'created_at'],
    numeric: ['number', 'account_id', 'subscription_id', 'amount', 'ledger_entry_id'],
    record: (row) => [
      row.kind, row.number, row.account_id, row.account_name, row.account_role, row.subscription_id, csvTime(row.period_start), csvTime(row.period_end),
      amount(row.amount), csvText(row.ledger_entry_id), csvText(row.note), csvTime(row.created_at),
    ],
  };
}

/** GET /admin/billing-runs/:id/export.csv: what one run did, in the page's filter (kind). */
export function runEventsExportRoute(router: Router, { db, config }: AppContext): void {
  const exportQuery = validate(eventsQuerySchema, { from: 'query', answer: 'text' });
  router.get('/:id/export.csv', exportQuery, async (req, res) => {
    const run = await findBillingRun(db, idParam(req, 'id', 'There is no such billing run'));
    if (!run) throw new NotFoundError('There is no such billing run');
    const filters = { kind: exportQuery.data(res).kind };
    const batches = keysetBatches(
      (after: { src: number; id: number } | undefined, limit: number) => listRunEventBatch(db, run.id, filters, after, limit),
      (row) => ({ src: Number(row.src), id: Number(row.id) }),
    );
    await sendCsv(res, `billing-run-${run.id}.csv`, eventsTable(config.moneyDecimals), batches);
  });
}
