// The admin's billing runs (what each run renewed, suspended and released) and each
// subscription's renewal history. Mounted at /admin/billing-runs and /admin/subscriptions.
import { Router } from 'express';
import { findBillingRun, listBillingRuns, listRunEvents, listSubscriptionEvents } from '../../../db/repos/billing-runs.ts';
import { findSubscriptionDetail, listSubscriptionLedger, listSubscriptionsOnNumber } from '../../../db/repos/subscription-details.ts';
import { releaseDueAt } from '../../../domain/renewal.ts';
import { NotFoundError } from '../../../errors.ts';
import { filterState, idParam, validate } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { presentRun } from './presenter.ts';
import { eventsQuerySchema, runsQuerySchema } from './schema.ts';
import { runEventsExportRoute, runFiltersOf, runsExportRoute } from './export.ts';

const RUNS_PAGE_SIZE = 50;
const EVENTS_PAGE_SIZE = 100;

export function billingRunsRouter(context: AppContext): Router {
  const { db } = context;
  const router = Router();
  const runsQuery = validate(runsQuerySchema, { from: 'query', fallback: { page: 1 } });
  const eventsQuery = validate(eventsQuerySchema, { from: 'query', fallback: { page: 1 } });

  router.get('/', runsQuery, async (_req, res) => {
    const query = runsQuery.data(res);
    const filters = { trigger: query.trigger, status: query.status, activity: query.activity };
    const { rows, total } = await listBillingRuns(db, runFiltersOf(query), pageWindow(query.page, RUNS_PAGE_SIZE));
    const { status, ...state } = filterState(runsQuery.invalid(res), filters);
    await renderPage(res, 'admin/billing-runs/index', {
      title: 'Billing runs', runs: rows.map(presentRun), ...state,
      pager: pageLinks('/admin/billing-runs', filters, total, query.page, RUNS_PAGE_SIZE), exportHref: hrefWith('/admin/billing-runs/export.csv', filters),
    }, status);
  });

  runsExportRoute(router, context);
  runEventsExportRoute(router, context);

  router.get('/:id', eventsQuery, async (req, res) => {
    const run = await findBillingRun(db, idParam(req, 'id', 'There is no such billing run'));
    if (!run) throw new NotFoundError('There is no such billing run');
    const query = eventsQuery.data(res);
    const { rows, total } = await listRunEvents(db, run.id, { kind: query.kind }, pageWindow(query.page, EVENTS_PAGE_SIZE));
    const { status, ...state } = filterState(eventsQuery.invalid(res), { kind: query.kind });
    await renderPage(res, 'admin/billing-runs/show', {
      title: `Billing run #${run.id}`, run: presentRun(run), events: rows, ...state,
      pager: pageLinks(`/admin/billing-runs/${run.id}`, { kind: query.kind }, total, query.page, EVENTS_PAGE_SIZE),
      exportHref: hrefWith(`/admin/billing-runs/${run.id}/export.csv`, { kind: query.kind }),
    }, status);
  });

  return router;
}

export function subscriptionsRouter({ db, config }: AppContext): Router {
  const router = Router();

  router.get('/:id', async (req, res) => {
    const subscription = await findSubscriptionDetail(db, idParam(req, 'id', 'There is no such subscription'));
    if (!subscription) throw new NotFoundError('There is no such subscription');
    const [events, ledger, related] = await Promise.all([
      listSubscriptionEvents(db, subscription.id),
      listSubscriptionLedger(db, subscription),
      listSubscriptionsOnNumber(db, subscription.product_id),
    ]);
    await renderPage(res, 'admin/subscriptions/show', {
      title: `Subscription #${subscription.id}`,
      subscription,
      releaseAt: subscription.status === 'suspended' && subscription.suspended_at ? releaseDueAt(subscription.suspended_at, config.billingGraceDays) : null,
      events,
      ledger,
      related: related.filter((other) => other.id !== subscription.id),
    });
  });

  return router;
}
