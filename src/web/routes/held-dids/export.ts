// My DIDs as CSV, in the list's filters: each number with its buy and sell terms.
import type { Router } from 'express';
import { listHeldDidBatch, type HeldFilters, type HeldRow } from '../../../db/repos/did-listings.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { validate } from '../../middleware/validate.ts';
import { csvAmount, csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { heldQuerySchema } from './schema.ts';

const TERMS = ['setup_fee', 'monthly_fee', 'connection_cost', 'cost_per_minute', 'grace_seconds', 'initial_increment', 'increment'] as const;
const COLUMNS = [
  'number', 'country', 'province', 'city', 'customer_id', 'customer', 'subscription_status', 'billing_type', 'billing_period', 'billing_days', 'next_billing_at',
  ...TERMS.map((term) => `buy_${term}`), ...TERMS.map((term) => `sell_${term}`), 'sell_rate_plan',
];
const NUMERIC = ['number', 'customer_id', 'billing_days', ...TERMS.flatMap((term) => [`buy_${term}`, `sell_${term}`])];

export function heldFiltersOf(query: { contains?: string | undefined; country?: string | undefined; assignment?: HeldFilters['assignment'] }): HeldFilters {
  return { contains: query.contains, country: query.country, assignment: query.assignment };
}

function heldTable(decimals: number): CsvTable<HeldRow> {
  const amount = csvAmount(decimals);
  return {
    columns: COLUMNS,
    numeric: NUMERIC,
    record: (row) => [
      row.number, csvText(row.country), csvText(row.province), csvText(row.city), csvText(row.customer_id), csvText(row.customer_name), csvText(row.subscription_status),
      row.billing_type, row.billing_period, row.billing_days, csvTime(row.next_billing_at),
      amount(row.buy_setup_fee), amount(row.buy_monthly_fee), row.buy_connection_cost, row.buy_cost_per_minute, row.buy_grace_seconds, row.buy_initial_increment, row.buy_increment,
      amount(row.sell_setup_fee), amount(row.sell_monthly_fee), csvText(row.sell_connection_cost), csvText(row.sell_cost_per_minute),
      csvText(row.sell_grace_seconds), csvText(row.sell_initial_increment), csvText(row.sell_increment), csvText(row.sell_rate_plan_name),
    ],
  };
}

/** GET /reseller/dids/export.csv: mounted before the number pages, whose path would take it. */
export function heldExportRoute(router: Router, { db, config }: AppContext): void {
  const exportQuery = validate(heldQuerySchema, { from: 'query', answer: 'text' });
  router.get('/export.csv', exportQuery, async (_req, res) => {
    const resellerId = currentAccount(res).id;
    const filters = heldFiltersOf(exportQuery.data(res));
    const batches = keysetBatches((after: string | undefined, limit: number) => listHeldDidBatch(db, resellerId, filters, after, limit), (row) => row.number);
    await sendCsv(res, 'my-dids.csv', heldTable(config.moneyDecimals), batches);
  });
}
