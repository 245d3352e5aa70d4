// My numbers as CSV, in the list's filters: each number with its price, terms and forwarding.
import type { Router } from 'express';
import { listOwnedDidBatch, type OwnedFilters, type OwnedRow } from '../../../db/repos/did-listings.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { validate } from '../../middleware/validate.ts';
import { csvAmount, csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { ownedQuerySchema } from './schema.ts';

const COLUMNS = [
  'number', 'country', 'province', 'city', 'seller', 'status', 'billing_type', 'billing_period', 'billing_days', 'setup_fee', 'price',
  'connection_cost', 'cost_per_minute', 'grace_seconds', 'initial_increment', 'increment', 'started_at', 'next_billing_at', 'destination_type', 'destination',
];
const NUMERIC = ['number', 'billing_days', 'setup_fee', 'price', 'connection_cost', 'cost_per_minute', 'grace_seconds', 'initial_increment', 'increment'];

export function ownedFiltersOf(query: { contains?: string | undefined; status?: OwnedFilters['status'] }): OwnedFilters {
  return { contains: query.contains, status: query.status };
}

function ownedTable(decimals: number): CsvTable<OwnedRow> {
  const amount = csvAmount(decimals);
  return {
    columns: COLUMNS,
    numeric: NUMERIC,
    record: (row) => [
      row.number, csvText(row.country), csvText(row.province), csvText(row.city), csvText(row.seller_name), csvText(row.status),
      row.billing_type, row.billing_period, row.billing_days, amount(row.setup_fee), amount(row.price),
      row.connection_cost, row.cost_per_minute, row.grace_seconds, row.initial_increment, row.increment,
      csvTime(row.started_at), csvTime(row.next_billing_at), csvText(row.destination_type), csvText(row.destination),
    ],
  };
}

/** GET /customer/numbers/export.csv: mounted before the number pages, whose path would take it. */
export function ownedExportRoute(router: Router, { db, config }: AppContext): void {
  const exportQuery = validate(ownedQuerySchema, { from: 'query', answer: 'text' });
  router.get('/export.csv', exportQuery, async (_req, res) => {
    const customerId = currentAccount(res).id;
    const filters = ownedFiltersOf(exportQuery.data(res));
    const batches = keysetBatches((after: string | undefined, limit: number) => listOwnedDidBatch(db, customerId, filters, after, limit), (row) => row.number);
    await sendCsv(res, 'my-numbers.csv', ownedTable(config.moneyDecimals), batches);
  });
}
