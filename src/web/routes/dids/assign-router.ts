// The admin assigns a number in stock to a reseller or a direct customer (charged or not), or
// reclaims one to stock, through the purchases service. Mounted in the DID router.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { formatDidNumber } from '../../../domain/did-terms.ts';
import { findDid } from '../../../db/repos/dids.ts';
import { listAssignableAccounts } from '../../../db/queries/assignable-accounts.ts';
import { ConflictError, InsufficientFundsError, NotFoundError, ValidationError } from '../../../errors.ts';
import { loadDidDetail } from '../../../services/inventory.ts';
import { assignDid, quotePurchase } from '../../../services/purchases.ts';
import { reclaimDid } from '../../../services/releases.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { formValues, idParam, validate } from '../../middleware/validate.ts';
import { presentDid } from '../../presenters/dids.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { pricingOf, releaseCreditOf } from '../buy/router.ts';
import { assignFormSchema } from './schema.ts';

const NO_SUCH_DID = 'There is no such DID';

export function assignRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();
  const didId = (req: Request) => idParam(req, 'id', NO_SUCH_DID);

  async function renderAssignForm(res: Response, id: number, values: Record<string, string>, errors: Record<string, string> = {}, status = 200) {
    const did = await findDid(db, id);
    if (!did) throw new NotFoundError(NO_SUCH_DID);
    const accounts = await listAssignableAccounts(db);
    await renderPage(res, 'admin/dids/assign', { title: `Assign ${formatDidNumber(did.number)}`, did: presentDid(did), accounts, values, fieldErrors: errors }, status);
  }

  router.get('/:id/assign', async (req, res) => {
    await renderAssignForm(res, didId(req), { charge: 'yes' });
  });

  const confirmQuery = validate(assignFormSchema, {
    from: 'query',
    onInvalid: (req, res, { values, errors }) => renderAssignForm(res, didId(req), values, errors, 400),
  });

  // The confirmation says exactly what will be charged, or that nothing will be.
  router.get('/:id/assign/confirm', confirmQuery, async (req, res) => {
    const id = didId(req);
    const form = confirmQuery.data(res);
    let quote;
    try {
      quote = await quotePurchase(db, { buyerId: form.account, productId: id, now: now(), pricing: pricingOf(context) });
    } catch (error) {
      if (!(error instanceof NotFoundError || error instanceof ValidationError)) throw error;
      const message = `${error.message} Only numbers in stock can be assigned, to resellers and direct customers.`;
      return renderAssignForm(res, id, formValues(req.query), { account: message }, 400);
    }
    await renderPage(res, 'admin/dids/assign-confirm', {
      title: `Assign ${formatDidNumber(quote.product.number)}`,
      quote,
      did: { id, number: quote.product.number },
      charge: form.charge === 'yes',
      purchaseKey: randomUUID(),
    });
  });

  const assignForm = validate(assignFormSchema, {
    onInvalid: (req, res, { values }) => renderAssignForm(res, didId(req), values, { account: 'Choose the account and whether to charge it' }, 400),
  });

  router.post('/:id/assign', assignForm, async (req, res) => {
    const id = didId(req);
    const form = assignForm.data(res);
    try {
      const result = await assignDid(db, {
        accountId: form.account, productId: id, idempotencyKey: form.purchase_key ?? '', now: now(), actorId: currentAccount(res).id,
        charge: form.charge === 'yes', pricing: pricingOf(context),
      });
      const charged = result.entries.length === 0 ? 'nothing was charged' : `charged ${result.entries.map((e) => e.amount.replace(/^-/, '')).join(' + ')}`;
      flash(req, result.replayed ? 'info' : 'success', result.replayed
        ? `${formatDidNumber(result.product.number)} had already been assigned with this form.`
        : `${formatDidNumber(result.product.number)} is assigned; ${charged}.`);
    } catch (error) {
      if (!(error instanceof InsufficientFundsError || error instanceof ConflictError || error instanceof NotFoundError || error instanceof ValidationError)) throw error;
      flash(req, 'error', error.message);
    }
    res.redirect(303, `/admin/dids/${id}`);
  });

  router.get('/:id/reclaim', async (req, res) => {
    const detail = await loadDidDetail(db, didId(req));
    await renderPage(res, 'admin/dids/reclaim', {
      title: `Reclaim ${formatDidNumber(detail.did.number)}`,
      did: presentDid(detail.did),
      live: detail.subscriptions.filter((s) => s.status !== 'ended'),
      creditsUnusedDays: context.config.creditUnusedDaysOnRelease && detail.subscriptions.some((s) => s.status !== 'ended' && s.billing_period !== 'days'),
    });
  });

  router.post('/:id/reclaim', async (req, res) => {
    const id = didId(req);
    const result = await reclaimDid(db, { productId: id, now: now(), actorId: currentAccount(res).id, credit: releaseCreditOf(context) });
    const ended = result.endedSubscriptionIds.length;
    flash(req, 'success', `${formatDidNumber(result.product.number)} is back in stock; ${ended} ${ended === 1 ? 'subscription' : 'subscriptions'} ended; ${result.credits.length === 0 ? 'no refund' : `unused days credited to ${result.credits.length} ${result.credits.length === 1 ? 'holder' : 'holders'}`}.`);
    res.redirect(303, `/admin/dids/${id}`);
  });

  return router;
}
