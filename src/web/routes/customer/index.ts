// The customer's pages, mounted behind roleArea('customer') in app.ts; every query carries its id.
import { Router } from 'express';
import { loadAccountDashboard } from '../../../services/dashboards.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { dashboardChartLocals, dashboardChartsRouter } from '../dashboard-charts/router.ts';
import { ownTransactionsRouter } from '../transactions/router.ts';
import { buyRouter, receiptsRouter } from '../buy/router.ts';
import { holdsRouter } from '../holds/router.ts';
import { ownedNumbersRouter } from '../owned-numbers/router.ts';
import { callsRouter } from '../calls/router.ts';
import { ownPaymentsRouter } from '../payments/router.ts';
import { refillRouter } from '../payments/refill-router.ts';
import { presentRefill } from '../payments/presenter.ts';
import { loadRefillSettings } from '../../../services/refill-settings.ts';

import { webhooksRouter } from '../webhooks/router.ts';
import { invoicesRouter } from '../invoices/router.ts';
import { companyRouter } from '../company/router.ts';
export function customerRouter(context: AppContext): Router {
  const { db } = context;
  const router = Router();

  router.get('/', async (_req, res) => {
    const dashboard = await loadAccountDashboard(db, currentAccount(res).id, { now: context.now(), noticeDays: context.config.renewalNoticeDays, graceDays: context.config.billingGraceDays });
    const refillFailure = presentRefill(await loadRefillSettings(db, currentAccount(res).id)).failure;
    await renderPage(res, 'customer/dashboard', { title: 'Dashboard', dashboard, refillFailure, ...(await dashboardChartLocals(context, res)) });
  });

  router.use('/dashboard', dashboardChartsRouter(context));
  router.use('/transactions', ownTransactionsRouter(context));
  router.use('/buy', buyRouter(context));
  router.use('/holds', holdsRouter(context));
  router.use('/receipts', receiptsRouter(context));
  router.use('/numbers', ownedNumbersRouter(context));
  router.use('/calls', callsRouter(context));
  router.use('/webhooks', webhooksRouter(context));
  router.use('/payments', ownPaymentsRouter(context));
  router.use('/refill', refillRouter(context));
  router.use('/invoices', invoicesRouter(context, 'customer'));
  router.use('/company', companyRouter(context, 'customer'));

  return router;
}
