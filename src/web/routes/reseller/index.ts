// The reseller's pages, mounted behind roleArea('reseller') in app.ts; every query carries its id.
import { Router } from 'express';
import { loadAccountDashboard } from '../../../services/dashboards.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { dashboardChartLocals, dashboardChartsRouter } from '../dashboard-charts/router.ts';
import { managedAccountsRouter } from '../accounts/router.ts';
import { ownTransactionsRouter } from '../transactions/router.ts';
import { buyRouter, receiptsRouter } from '../buy/router.ts';
import { holdsRouter } from '../holds/router.ts';
import { heldDidsRouter } from '../held-dids/router.ts';
import { callsRouter } from '../calls/router.ts';
import { reportsRouter } from '../reports/router.ts';
import { ownPaymentsRouter } from '../payments/router.ts';
import { refillRouter } from '../payments/refill-router.ts';
import { presentRefill } from '../payments/presenter.ts';
import { loadRefillSettings } from '../../../services/refill-settings.ts';
import { paymentSettingsRouter } from '../payments/settings-router.ts';
import { ratePlansRouter } from '../rate-plans/router.ts';
import { applyRouter } from '../rate-plans/apply-router.ts';
import { mailTemplatesRouter } from '../mail-templates/router.ts';

import { webhooksRouter } from '../webhooks/router.ts';
import { invoicesRouter } from '../invoices/router.ts';
import { companyRouter } from '../company/router.ts';
export function resellerRouter(context: AppContext): Router {
  const { db } = context;
  const router = Router();

  router.get('/', async (_req, res) => {
    const dashboard = await loadAccountDashboard(db, currentAccount(res).id, { now: context.now(), noticeDays: context.config.renewalNoticeDays, graceDays: context.config.billingGraceDays });
    const refillFailure = presentRefill(await loadRefillSettings(db, currentAccount(res).id)).failure;
    await renderPage(res, 'reseller/dashboard', { title: 'Dashboard', dashboard, refillFailure, ...(await dashboardChartLocals(context, res)) });
  });

  router.use('/dashboard', dashboardChartsRouter(context));
  router.use('/customers', managedAccountsRouter(context));
  router.use('/transactions', ownTransactionsRouter(context));
  router.use('/buy', buyRouter(context));
  router.use('/holds', holdsRouter(context));
  router.use('/receipts', receiptsRouter(context));
  router.use('/dids', heldDidsRouter(context));
  router.use('/calls', callsRouter(context));
  router.use('/reports', reportsRouter(context));
  router.use('/payments', ownPaymentsRouter(context));
  router.use('/refill', refillRouter(context));
  router.use('/payment-settings', paymentSettingsRouter(context));
  router.use('/rate-plans', applyRouter(context), ratePlansRouter(context));
  router.use('/mail-templates', mailTemplatesRouter(context, 'reseller'));
  router.use('/webhooks', webhooksRouter(context));
  router.use('/invoices', invoicesRouter(context, 'reseller'));
  router.use('/company', companyRouter(context, 'reseller'));

  return router;
}
