// The customer's "My numbers": what it owns and pays, where each number forwards its calls,
// and giving a number back to its seller.
import { Router, type Request, type Response } from 'express';
import { findOwnedDid, listOwnedDids, type OwnedFilters } from '../../../db/repos/did-listings.ts';
import { DESTINATION_TYPES } from '../../../domain/destination.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { setForwarding } from '../../../services/did-holdings.ts';
import { releaseDid } from '../../../services/purchases.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { formValues, parseForm } from '../../middleware/validate.ts';
import { pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { billingLabel, incrementsLabel, locationLabel, rate } from '../../presenters/numbers.ts';
import { flash, renderPage } from '../../render.ts';
import { loadBillingNotices } from '../../../services/billing-notices.ts';
import type { AppContext } from '../../context.ts';
import { forwardingFormSchema, ownedQuerySchema, pathId } from '../number-forms.ts';

export const OWNED_PAGE_SIZE = 25;
const DESTINATION_LABELS = Object.fromEntries(DESTINATION_TYPES.map((t) => [t.value, t.label]));
const helpers = { billingLabel, incrementsLabel, locationLabel, rate, destinationLabels: DESTINATION_LABELS };

export function numbersRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();

  router.get('/', async (req, res) => {
    const account = currentAccount(res);
    const parsed = parseForm(ownedQuerySchema, req.query);
    const query = parsed.ok ? parsed.data : { page: 1 };
    const filters: OwnedFilters = parsed.ok ? { contains: parsed.data.contains, status: parsed.data.status } : {};
    const { rows, total } = await listOwnedDids(db, account.id, filters, pageWindow(query.page, OWNED_PAGE_SIZE));
    await renderPage(
      res,
      'customer/numbers',
      {
        title: 'My numbers',
        rows,
        values: parsed.ok ? filters : req.query,
        fieldErrors: parsed.ok ? {} : parsed.errors,
        pager: pageLinks('/customer/numbers', { ...filters }, total, query.page, OWNED_PAGE_SIZE),
        ...helpers,
      },
      parsed.ok ? 200 : 400,
    );
  });

  async function showNumber(req: Request, res: Response, productId: number, status = 200, form?: { values: Record<string, string>; errors: Record<string, string> }) {
    const owned = await findOwnedDid(db, currentAccount(res).id, productId);
    if (!owned) throw new NotFoundError('Number not found');
    await renderPage(
      res,
      'customer/number',
      {
        title: owned.number,
        owned,
        destinationTypes: DESTINATION_TYPES,
        values: form?.values ?? { destination_type: owned.destination_type ?? 'sip_uri', destination: owned.destination ?? '' },
        fieldErrors: form?.errors ?? {},
        billingNotices: await loadBillingNotices(db, currentAccount(res).id, { now: now(), noticeDays: context.config.renewalNoticeDays, graceDays: context.config.billingGraceDays }, owned.id),
        ...helpers,
      },
      status,
    );
  }

  router.get('/:productId', async (req, res) => {
    const productId = pathId(req.params.productId);
    if (productId === undefined) throw new NotFoundError();
    await showNumber(req, res, productId);
  });

  router.post('/:productId/forwarding', async (req, res) => {
    const account = currentAccount(res);
    const productId = pathId(req.params.productId);
    if (productId === undefined) throw new NotFoundError();
    const form = parseForm(forwardingFormSchema, req.body);
    if (!form.ok) return showNumber(req, res, productId, 400, { values: formValues(req.body), errors: form.errors });
    try {
      const saved = await setForwarding(db, {
        customerId: account.id, productId, type: form.data.destination_type, destination: form.data.destination, now: now(), actorId: account.id,
      });
      flash(req, 'success', `Calls now go to ${saved.destination}.`);
      res.redirect(303, `/customer/numbers/${productId}`);
    } catch (error) {
      if (error instanceof ValidationError) return showNumber(req, res, productId, 400, { values: formValues(req.body), errors: error.fields });
      throw error;
    }
  });

  router.get('/:productId/release', async (req, res) => {
    const productId = pathId(req.params.productId);
    if (productId === undefined) throw new NotFoundError();
    const owned = await findOwnedDid(db, currentAccount(res).id, productId);
    if (!owned) throw new NotFoundError('Number not found');
    await renderPage(res, 'purchases/release', {
      title: `Release ${owned.number}`,
      number: owned.number,
      action: `/customer/numbers/${productId}/release`,
      cancel: `/customer/numbers/${productId}`,
      goesTo: owned.seller_name ? `its seller, ${owned.seller_name}` : 'its seller',
      nextBillingAt: owned.billing_type === 'recurring' ? owned.next_billing_at : null,
      price: owned.price,
    });
  });

  router.post('/:productId/release', async (req, res) => {
    const account = currentAccount(res);
    const productId = pathId(req.params.productId);
    if (productId === undefined) throw new NotFoundError();
    const { product } = await releaseDid(db, { accountId: account.id, productId, now: now(), actorId: account.id });
    flash(req, 'success', `${product.number} was released. Nothing was refunded.`);
    res.redirect(303, '/customer/numbers');
  });

  return router;
}
