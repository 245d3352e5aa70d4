// The dashboards' charts: the scope of the logged-in account (the admin: the whole platform; a
// reseller: its tree; a customer: itself), the charts for its dashboard page, and each chart's CSV.
import { Router, type Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csvColumns, csvWriter } from '../../../domain/csv-cell.ts';
import { chartCsvRows, chartsOf, loadChart, loadCharts } from '../../../services/dashboard-charts.ts';
import type { SeriesScope } from '../../../db/queries/dashboard-series.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { validate } from '../../middleware/validate.ts';
import { NotFoundError } from '../../../errors.ts';
import type { AppContext } from '../../context.ts';
import { presentChart, type ChartView } from './presenter.ts';
import { chartCsvQuerySchema } from './schema.ts';

const chartCsvQuery = validate(chartCsvQuerySchema, { from: 'query', answer: 'text' });

export function scopeOf(res: Response): SeriesScope {
  const role = areaRole(res);
  if (role === 'admin') return { kind: 'all' };
  return { kind: role, id: currentAccount(res).id };
}

export interface QuickAction {
  label: string;
  href: string;
  primary?: boolean;
}

/** Links to existing pages, at the top of each role's dashboard. */
export const QUICK_ACTIONS: Record<'admin' | 'reseller' | 'customer', QuickAction[]> = {
  admin: [
    { label: 'Create DID', href: '/admin/dids/new', primary: true },
    { label: 'Record a payment (Accounts)', href: '/admin/accounts' },
    { label: 'New account', href: '/admin/accounts/new' },
    { label: 'Audit log', href: '/admin/audit' },
  ],
  reseller: [
    { label: 'Buy DIDs', href: '/reseller/buy', primary: true },
    { label: "Record a customer's payment", href: '/reseller/customers' },
    { label: 'Transactions', href: '/reseller/transactions' },
  ],
  customer: [
    { label: 'Buy DIDs', href: '/customer/buy', primary: true },
    { label: 'My numbers', href: '/customer/numbers' },
    { label: 'Transactions and payments', href: '/customer/transactions' },
  ],
};

/** What a dashboard page adds for its charts: the quick actions and the charts. */
export async function dashboardChartLocals(context: AppContext, res: Response): Promise<{ quickActions: QuickAction[]; charts: ChartView[] }> {
  return { quickActions: QUICK_ACTIONS[areaRole(res)], charts: await dashboardCharts(context, res) };
}

/** The charts of the dashboard page of the area the request is in. */
export async function dashboardCharts({ db, now, config }: AppContext, res: Response): Promise<ChartView[]> {
  const charts = await loadCharts(db, scopeOf(res), now(), config.moneyDecimals);
  return charts.map((chart) => presentChart(chart, `/${areaRole(res)}`));
}

export function dashboardChartsRouter({ db, now, config }: AppContext): Router {
  const router = Router();
  router.get('/chart.csv', chartCsvQuery, async (_req, res) => {
    const { chart: name } = chartCsvQuery.data(res);
    const scope = scopeOf(res);
    if (!chartsOf(scope).includes(name)) throw new NotFoundError();
    const chart = await loadChart(db, scope, name, now(), config.moneyDecimals);
    const { header, rows } = chartCsvRows(chart);
    res.type('text/csv; charset=utf-8');
    res.attachment(`${name}-per-day.csv`);
    await pipeline(Readable.from(rows), csvWriter(csvColumns(header, header.slice(1))), res);
  });
  return router;
}
