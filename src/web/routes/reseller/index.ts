// The reseller's pages, mounted behind roleArea('reseller') in app.ts; every query carries its id.
import { Router } from 'express';
import { loadAccountDashboard } from '../../../services/dashboards.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { managedAccountsRouter } from '../accounts/router.ts';
import { ownTransactionsRouter } from '../transactions/router.ts';
import { buyRouter, receiptsRouter } from '../buy/router.ts';
import { heldDidsRouter } from '../held-dids/router.ts';
import { callsRouter } from '../calls/router.ts';
import { ratePlansRouter } from '../rate-plans/router.ts';
import { applyRouter } from '../rate-plans/apply-router.ts';
import { mailTemplatesRouter } from '../mail-templates/router.ts';

export function resellerRouter(context: AppContext): Router {
  const { db } = context;
  const router = Router();

  router.get('/', async (_req, res) => {
    const dashboard = await loadAccountDashboard(db, currentAccount(res).id, { now: context.now(), noticeDays: context.config.renewalNoticeDays, graceDays: context.config.billingGraceDays });
    await renderPage(res, 'reseller/dashboard', { title: 'Dashboard', dashboard });
  });

  router.use('/customers', managedAccountsRouter(context));
  router.use('/transactions', ownTransactionsRouter(context));
  router.use('/buy', buyRouter(context));
  router.use('/receipts', receiptsRouter(context));
  router.use('/dids', heldDidsRouter(context));
  router.use('/calls', callsRouter(context));
  router.use('/rate-plans', applyRouter(context), ratePlansRouter(context));
  router.use('/mail-templates', mailTemplatesRouter(context, 'reseller'));

  return router;
}
