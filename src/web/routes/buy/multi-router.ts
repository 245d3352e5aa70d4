// Buy DIDs, several numbers at once: the ticked numbers of the search, one confirmation with every
// charge and the total, one purchase (all or none), one receipt for them all.
import { randomUUID } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { findReceipt } from '../../../db/repos/did-listings.ts';
import { sumMoney, toStored } from '../../../domain/money.ts';
import { ConflictError, InsufficientFundsError, NotFoundError } from '../../../errors.ts';
import { purchaseDids, quotePurchases } from '../../../services/purchases.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { validate } from '../../middleware/validate.ts';
import { billingLabel } from '../../presenters/numbers.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { multiPurchaseFormSchema, selectionSchema } from './schema.ts';
import { pricingOf } from './pricing.ts';

export function multiPurchaseRoutes(router: Router, context: AppContext): void {
  const { db, now } = context;
  const selection = validate(selectionSchema, {
    from: 'query',
    onInvalid: (req, res, { errors }) => {
      flash(req, 'error', errors.ids ?? 'Tick the numbers to buy.');
      res.redirect(303, req.baseUrl);
    },
  });

  /** A ticked number no longer on the buyer's shelf (or never on it) is a 404 that says so. */
  async function showConfirmation(req: Request, res: Response, ids: number[], status = 200, error?: string): Promise<void> {
    const quote = await quotePurchases(db, { buyerId: currentAccount(res).id, productIds: ids, now: now(), pricing: pricingOf(context) });
    const count = quote.lines.length;
    const title = `${error ? 'Error: ' : ''}Buy ${count} number${count === 1 ? '' : 's'}`;
    await renderPage(res, 'purchases/confirm-many', { title, quote, base: req.baseUrl, purchaseKey: randomUUID(), formError: error, billingLabel }, status);
  }

  router.get('/confirm', selection, async (req, res) => {
    await showConfirmation(req, res, selection.data(res).ids);
  });

  const purchaseForm = validate(multiPurchaseFormSchema, {
    onInvalid: async (req, res, { errors }) => {
      const ids = selectionSchema.safeParse(req.body ?? {});
      if (!ids.success) {
        flash(req, 'error', errors.ids ?? 'Tick the numbers to buy.');
        return res.redirect(303, req.baseUrl);
      }
      return showConfirmation(req, res, ids.data.ids, 400, errors.purchase_key ?? 'Reload the page and try again.');
    },
  });

  router.post('/confirm', purchaseForm, async (req, res) => {
    const account = currentAccount(res);
    const form = purchaseForm.data(res);
    try {
      const { results, replayed } = await purchaseDids(db, {
        buyerId: account.id, productIds: form.ids, idempotencyKey: form.purchase_key, now: now(), actorId: account.id, pricing: pricingOf(context),
      });
      const count = `${results.length} number${results.length === 1 ? '' : 's'}`;
      flash(req, replayed ? 'info' : 'success', replayed ? `You had already bought these ${count} with this form; nothing more was charged.` : `You bought ${count}.`);
      const ids = results.map((result) => `ids=${result.subscription.id}`).join('&');
      res.redirect(303, `/${areaRole(res)}/receipts?${ids}`);
    } catch (error) {
      if (error instanceof InsufficientFundsError) return showConfirmation(req, res, form.ids, 402, error.message);
      if (error instanceof ConflictError || error instanceof NotFoundError) {
        flash(req, 'error', error.message);
        return res.redirect(303, req.baseUrl);
      }
      throw error;
    }
  });
}

/** One receipt for the numbers bought together: `?ids=` lists their subscriptions (the buyer's own only). */
export function multiReceiptRoute(router: Router, { db }: AppContext): void {
  const receiptIds = validate(selectionSchema, { from: 'query', answer: 'text' });
  router.get('/', receiptIds, async (req, res) => {
    const account = currentAccount(res);
    const found = [];
    for (const id of receiptIds.data(res).ids) {
      const one = await findReceipt(db, account.id, id);
      if (!one) throw new NotFoundError('Receipt not found');
      found.push(one);
    }
    const charged = toStored(sumMoney(found.flatMap((one) => one.entries).map((entry) => entry.amount)).negated());
    await renderPage(res, 'purchases/receipts', { title: `Receipt for ${found.length} numbers`, receipts: found, charged, base: `/${areaRole(res)}`, billingLabel });
  });
}
