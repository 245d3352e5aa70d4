// The admin's billing runs (what each run renewed, suspended and released) and each
// subscription's renewal history.
import { Router } from 'express';
import { z } from 'zod';
import { findBillingRun, listBillingRuns, listRunEvents, listSubscriptionEvents, type BillingRunRow } from '../../../db/repos/billing-runs.ts';
import { findSubscriptionDetail, listSubscriptionLedger, listSubscriptionsOnNumber } from '../../../db/repos/subscription-details.ts';
import { releaseDueAt } from '../../../domain/renewal.ts';
import { NotFoundError } from '../../../errors.ts';
import { parseForm } from '../../middleware/validate.ts';
import { pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { pageNumber, pathId } from '../number-forms.ts';

const RUNS_PAGE_SIZE = 50;
const EVENTS_PAGE_SIZE = 100;
const blank = (value: unknown) => (value === '' ? undefined : value);

const runsQuerySchema = z.object({
  trigger: z.preprocess(blank, z.enum(['schedule', 'command', 'payment'], { message: 'Choose from the list' }).optional()),
  status: z.preprocess(blank, z.enum(['running', 'finished', 'failed'], { message: 'Choose from the list' }).optional()),
  activity: z.preprocess(blank, z.enum(['all', 'active'], { message: 'Choose from the list' }).optional()),
  page: pageNumber,
});

const eventsQuerySchema = z.object({
  kind: z.preprocess(blank, z.enum(['renewed', 'suspended', 'reactivated', 'released', 'expired'], { message: 'Choose from the list' }).optional()),
  page: pageNumber,
});

export const TRIGGER_LABELS: Record<BillingRunRow['trigger'], string> = { schedule: 'Schedule', command: 'Command', payment: 'Payment retry' };

function presentRun(run: BillingRunRow) {
  const seconds = run.finished_at ? (run.finished_at.getTime() - run.started_at.getTime()) / 1000 : undefined;
  return {
    ...run,
    triggerLabel: TRIGGER_LABELS[run.trigger],
    duration: seconds === undefined ? '' : seconds < 10 ? `${seconds.toFixed(2)} s` : `${Math.round(seconds)} s`,
  };
}

export function billingRunsRouter({ db }: AppContext): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const parsed = parseForm(runsQuerySchema, req.query);
    const query = parsed.ok ? parsed.data : { page: 1, trigger: undefined, status: undefined, activity: undefined };
    const filters = { trigger: query.trigger, status: query.status, activity: query.activity };
    const { rows, total } = await listBillingRuns(db, { trigger: query.trigger, status: query.status, active: query.activity === 'active' }, pageWindow(query.page, RUNS_PAGE_SIZE));
    await renderPage(
      res,
      'admin/billing-runs/index',
      {
        title: 'Billing runs',
        runs: rows.map(presentRun),
        values: parsed.ok ? filters : req.query,
        fieldErrors: parsed.ok ? {} : parsed.errors,
        pager: pageLinks('/admin/billing-runs', filters, total, query.page, RUNS_PAGE_SIZE),
      },
      parsed.ok ? 200 : 400,
    );
  });

  router.get('/:id', async (req, res) => {
    const id = pathId(req.params.id);
    const run = id === undefined ? undefined : await findBillingRun(db, id);
    if (!run) throw new NotFoundError('There is no such billing run');
    const parsed = parseForm(eventsQuerySchema, req.query);
    const query = parsed.ok ? parsed.data : { page: 1, kind: undefined };
    const { rows, total } = await listRunEvents(db, run.id, { kind: query.kind }, pageWindow(query.page, EVENTS_PAGE_SIZE));
    await renderPage(
      res,
      'admin/billing-runs/show',
      {
        title: `Billing run #${run.id}`,
        run: presentRun(run),
        events: rows,
        values: parsed.ok ? { kind: query.kind } : req.query,
        fieldErrors: parsed.ok ? {} : parsed.errors,
        pager: pageLinks(`/admin/billing-runs/${run.id}`, { kind: query.kind }, total, query.page, EVENTS_PAGE_SIZE),
      },
      parsed.ok ? 200 : 400,
    );
  });

  return router;
}

export function subscriptionsRouter({ db, config }: AppContext): Router {
  const router = Router();

  router.get('/:id', async (req, res) => {
    const id = pathId(req.params.id);
    const subscription = id === undefined ? undefined : await findSubscriptionDetail(db, id);
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
