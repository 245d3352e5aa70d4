// Buy DIDs as CSV: the current search's results (its filters; in number order, whatever the page's
// sort), each number with what buying it costs now and its terms.
import type { Router } from 'express';
import type { OfferFilters, OfferRow } from '../../../db/queries/offers.ts';
import { offerReader } from '../../../services/did-holdings.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { validate } from '../../middleware/validate.ts';
import { csvAmount, csvText } from '../../presenters/csv-values.ts';
import { firstChargeLabel } from '../../presenters/numbers.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { pricingOf } from './pricing.ts';
import { presentOffer } from './presenter.ts';
import { offersQuerySchema, type OffersQuery } from './schema.ts';

const COLUMNS = [
  'number', 'country', 'province', 'city', 'billing_type', 'billing_period', 'billing_days', 'cost_now', 'setup_fee', 'monthly_fee',
  'connection_cost', 'cost_per_minute', 'grace_seconds', 'initial_increment', 'increment', 'concurrent_calls',
];
const NUMERIC = ['number', 'billing_days', 'cost_now', 'setup_fee', 'monthly_fee', 'connection_cost', 'cost_per_minute', 'grace_seconds', 'initial_increment', 'increment', 'concurrent_calls'];

export function offerFiltersOf(query: OffersQuery): OfferFilters {
  return {
    country: query.country, province: query.province, city: query.city, contains: query.contains, prefix: query.prefix,
    maxMonthly: query.max_monthly, maxSetup: query.max_setup, billingType: query.billing_type,
  };
}

function offersTable(decimals: number, firstCharge: ReturnType<typeof firstChargeLabel>): CsvTable<OfferRow> {
  const amount = csvAmount(decimals);
  return {
    columns: COLUMNS,
    numeric: NUMERIC,
    record: (row) => [
      row.number, csvText(row.country), csvText(row.province), csvText(row.city), row.billing_type, row.billing_period, row.billing_days,
      amount(presentOffer(row, firstCharge).cost_now), amount(row.setup_fee), amount(row.monthly_fee),
      row.connection_cost, row.cost_per_minute, row.grace_seconds, row.initial_increment, row.increment, row.concurrent_calls,
    ],
  };
}

/** GET <area>/buy/export.csv: mounted before the confirmation pages, whose path would take it. */
export function offersExportRoute(router: Router, context: AppContext): void {
  const exportQuery = validate(offersQuerySchema, { from: 'query', answer: 'text' });
  router.get('/export.csv', exportQuery, async (_req, res) => {
    const buyer = currentAccount(res);
    const filters = offerFiltersOf(exportQuery.data(res));
    const now = context.now();
    const offers = await offerReader(context.db, buyer, now);
    const read = (after: string | undefined, limit: number) => offers({ filters, window: { limit, offset: 0 }, order: 'number', after, countless: true });
    const table = offersTable(context.config.moneyDecimals, firstChargeLabel(buyer.billing_day, now, pricingOf(context)));
    await sendCsv(res, 'numbers.csv', table, keysetBatches(read, (row) => row.number));
  });
}
