// The admin's pages. The router is mounted behind requireRole('admin') once, in app.ts.
import { Router } from 'express';
import { loadAdminDashboard } from '../../../services/dashboards.ts';
import { renderPage } from '../../render.ts';
import { didsRouter } from './dids.ts';
import { providersRouter } from './providers.ts';
import type { AppContext } from '../../context.ts';
import { accountsRouter } from './accounts.ts';
import { billingRunsRouter, subscriptionsRouter } from './billing-runs.ts';
import { callsRouter } from '../calls.ts';
import { switchesRouter } from './switches.ts';
import { rejectedCdrsRouter } from './rejected-cdrs.ts';
import { expiredReservationsRouter } from './expired-reservations.ts';
import { invalidDestinationsRouter } from './invalid-destinations.ts';
import { ratePlansRouter } from '../rate-plans.ts';

export function adminRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();

  router.get('/', async (_req, res) => {
    const dashboard = await loadAdminDashboard(db, now());
    await renderPage(res, 'admin/dashboard', { title: 'Dashboard', dashboard });
  });

  router.use('/accounts', accountsRouter(context));
  router.use('/dids', didsRouter(context));
  router.use('/providers', providersRouter(context));
  router.use('/calls', callsRouter(context));
  router.use('/switches', switchesRouter(context));
  router.use('/rejected-cdrs', rejectedCdrsRouter(context));
  router.use('/expired-reservations', expiredReservationsRouter(context));
  router.use('/invalid-destinations', invalidDestinationsRouter(context));
  router.use('/rate-plans', ratePlansRouter(context, 'admin'));
  router.use('/billing-runs', billingRunsRouter(context));
  router.use('/subscriptions', subscriptionsRouter(context));

  return router;
}
