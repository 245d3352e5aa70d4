// The reports pages, one router for the admin (the operator's figures) and a reseller (its own
// tree's): mounted in each area, it scopes every query by the logged-in account.
import { Router, type Response } from 'express';
import type { ReportFilters, ReportScope } from '../../../db/queries/reports.ts';
import { listResellerOptions } from '../../../db/repos/account-directory.ts';
import { listProviderNames } from '../../../db/repos/providers.ts';
import { countryOptions } from '../../../domain/phone-numbers.ts';
import { reportRange } from '../../../domain/report-range.ts';
import { loadReport, REPORT_TITLES, reportsOf, writeReportCsv } from '../../../services/reports.ts';
import { NotFoundError } from '../../../errors.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { filterState, validate } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { groupLabel, monthLabel, reportChart } from './presenter.ts';
import { reportQuerySchema, type ReportQuery } from './schema.ts';

export const REPORT_PAGE_SIZE = 50;

function scopeOf(res: Response): ReportScope {
  return areaRole(res) === 'admin' ? { kind: 'all' } : { kind: 'reseller', id: currentAccount(res).id };
}

function filtersOf(scope: ReportScope, query: ReportQuery, now: Date): ReportFilters {
  return {
    ...reportRange(now, query.report, query),
    resellerId: scope.kind === 'all' ? query.reseller : undefined,
    providerId: query.provider,
    country: query.country,
  };
}

/** The dates as the form shows them: a month for the per-number report, else the days. */
function datesOf(report: ReportQuery['report'], filters: ReportFilters): { from?: string; to?: string; month?: string } {
  return report === 'number' ? { month: filters.from.slice(0, 7) } : { from: filters.from, to: filters.to };
}

export function reportsRouter({ db, now, config }: AppContext): Router {
  const router = Router();
  const pageQuery = validate(reportQuerySchema, { from: 'query', fallback: { report: 'day', page: 1 } });
  const exportQuery = validate(reportQuerySchema, { from: 'query', answer: 'text' });

  router.get('/', pageQuery, async (req, res) => {
    const scope = scopeOf(res);
    const query = pageQuery.data(res);
    if (!reportsOf(scope).includes(query.report)) throw new NotFoundError('There is no such report here');
    const filters = filtersOf(scope, query, now());
    const report = await loadReport(db, scope, query.report, filters, pageWindow(query.page, REPORT_PAGE_SIZE), now());
    const current = { report: query.report, ...datesOf(query.report, filters), reseller: filters.resellerId, provider: filters.providerId, country: filters.country };
    const { status, ...state } = filterState(pageQuery.invalid(res), current);
    const title = REPORT_TITLES[query.report];
    await renderPage(res, 'reports/index', {
      title: 'Reports', heading: title, path: req.baseUrl, scope: scope.kind, report, ...state,
      // Another report keeps the filters, and the dates only when they were chosen (each report has its own default range).
      reports: reportsOf(scope).map((name) => ({
        name, title: REPORT_TITLES[name], current: name === query.report,
        href: hrefWith(req.baseUrl, { ...current, report: name, from: query.from, to: query.to, month: query.month }),
      })),
      resellers: scope.kind === 'all' ? await listResellerOptions(db) : [],
      providers: await listProviderNames(db),
      countries: countryOptions(),
      chart: reportChart(report, title, config.moneyDecimals, scope.kind),
      label: (row: { key: string; label: string | null }) => groupLabel(report.name, row),
      exportHref: hrefWith(`${req.baseUrl}/export.csv`, current),
      monthLabel: monthLabel(filters.from),
      pager: report.kind === 'money' && report.name === 'number' ? pageLinks(req.baseUrl, current, report.total, query.page, REPORT_PAGE_SIZE) : null,
    }, status);
  });

  router.get('/export.csv', exportQuery, async (_req, res) => {
    const scope = scopeOf(res);
    const query = exportQuery.data(res);
    if (!reportsOf(scope).includes(query.report)) throw new NotFoundError('There is no such report here');
    res.type('text/csv; charset=utf-8');
    res.attachment(`report-${query.report}.csv`);
    await writeReportCsv(db, scope, query.report, filtersOf(scope, query, now()), now(), config.moneyDecimals, res);
  });

  return router;
}
