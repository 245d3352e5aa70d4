// The customer's pages, mounted behind roleArea('customer') in app.ts; every query carries its id.
import { Router } from 'express';
import { loadAccountDashboard } from '../../../services/dashboards.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { dashboardChartLocals, dashboardChartsRouter } from '../dashboard-charts/router.ts';
import { ownTransactionsRouter } from '../transactions/router.ts';
import { buyRouter, receiptsRouter } from '../buy/router.ts';
import { ownedNumbersRouter } from '../owned-numbers/router.ts';
import { callsRouter } from '../calls/router.ts';

export function customerRouter(context: AppContext): Router {
  const { db } = context;
  const router = Router();

  router.get('/', async (_req, res) => {
    const dashboard = await loadAccountDashboard(db, currentAccount(res).id, { now: context.now(), noticeDays: context.config.renewalNoticeDays, graceDays: context.config.billingGraceDays });
    await renderPage(res, 'customer/dashboard', { title: 'Dashboard', dashboard, ...(await dashboardChartLocals(context, res)) });
  });

  router.use('/dashboard', dashboardChartsRouter(context));
  router.use('/transactions', ownTransactionsRouter(context));
  router.use('/buy', buyRouter(context));
  router.use('/receipts', receiptsRouter(context));
  router.use('/numbers', ownedNumbersRouter(context));
  router.use('/calls', callsRouter(context));

  return router;
}
