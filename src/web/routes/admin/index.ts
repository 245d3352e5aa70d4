// The admin's area: its pages, mounted behind roleArea('admin') once, in app.ts.
import { Router } from 'express';
import { loadAdminDashboard } from '../../../services/dashboards.ts';
import { renderPage } from '../../render.ts';
import { didsRouter } from '../dids/router.ts';
import { providersRouter } from '../providers/router.ts';
import type { AppContext } from '../../context.ts';
import { dashboardChartLocals, dashboardChartsRouter } from '../dashboard-charts/router.ts';
import { auditRouter } from '../audit/router.ts';
import { managedAccountsRouter } from '../accounts/router.ts';
import { billingRunsRouter, subscriptionsRouter } from '../billing-runs/router.ts';
import { callsRouter } from '../calls/router.ts';
import { switchesRouter } from '../switches/router.ts';
import { rejectedCdrsRouter } from '../rejected-cdrs/router.ts';
import { ratePlansRouter } from '../rate-plans/router.ts';
import { ratePlanNumbersRouter } from '../rate-plans/numbers-router.ts';
import { expiredReservationsRouter } from '../expired-reservations/router.ts';
import { invalidDestinationsRouter } from './invalid-destinations.ts';
import { outboxRouter } from '../outbox/router.ts';
import { mailTemplatesRouter } from '../mail-templates/router.ts';
import { adminPaymentsRouter } from '../payments/admin-router.ts';
import { paymentSettingsRouter } from '../payments/settings-router.ts';

import { webhooksRouter } from '../webhooks/router.ts';
import { invoicesRouter } from '../invoices/router.ts';
import { companyRouter } from '../company/router.ts';
import { reportsRouter } from '../reports/router.ts';
export function adminRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();

  router.get('/', async (_req, res) => {
    const dashboard = await loadAdminDashboard(db, now());
    await renderPage(res, 'admin/dashboard', { title: 'Dashboard', dashboard, ...(await dashboardChartLocals(context, res)) });
  });

  router.use('/dashboard', dashboardChartsRouter(context));
  router.use('/accounts', managedAccountsRouter(context));
  router.use('/dids', didsRouter(context));
  router.use('/providers', providersRouter(context));
  router.use('/calls', callsRouter(context));
  router.use('/reports', reportsRouter(context));
  router.use('/switches', switchesRouter(context));
  router.use('/rejected-cdrs', rejectedCdrsRouter(context));
  router.use('/expired-reservations', expiredReservationsRouter(context));
  router.use('/invalid-destinations', invalidDestinationsRouter(context));
  router.use('/rate-plans', ratePlanNumbersRouter(context), ratePlansRouter(context));
  router.use('/billing-runs', billingRunsRouter(context));
  router.use('/subscriptions', subscriptionsRouter(context));
  router.use('/audit', auditRouter(context));
  router.use('/outbox', outboxRouter(context));
  router.use('/mail-templates', mailTemplatesRouter(context, 'admin'));
  router.use('/webhooks', webhooksRouter(context));
  router.use('/payments', adminPaymentsRouter(context));
  router.use('/payment-settings', paymentSettingsRouter(context));
  router.use('/invoices', invoicesRouter(context, 'admin'));
  router.use('/company', companyRouter(context, 'admin'));

  return router;
}
