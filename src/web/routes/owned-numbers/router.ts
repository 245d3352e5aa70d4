// The customer's "My numbers": what it owns and pays, where each number forwards its calls,
// and giving a number back to its seller. Mounted at /customer/numbers.
import { Router, type Request, type Response } from 'express';
import { findOwnedDid, listOwnedDids } from '../../../db/repos/did-listings.ts';
import { DESTINATION_TYPES } from '../../../domain/destination.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { setForwarding } from '../../../services/did-holdings.ts';
import { releaseDid } from '../../../services/releases.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { filterState, formValues, idParam, validate } from '../../middleware/validate.ts';
import { formatPhone } from '../../presenters/format.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { billingLabel, incrementsLabel, locationLabel, rate, releaseCreditNote } from '../../presenters/numbers.ts';
import { flash, renderPage } from '../../render.ts';
import { loadBillingNotices } from '../../../services/billing-notices.ts';
import type { AppContext } from '../../context.ts';
import { forwardingFormSchema, ownedQuerySchema } from './schema.ts';
import { releaseCreditOf } from '../buy/router.ts';
import { ownedExportRoute, ownedFiltersOf } from './export.ts';

export const OWNED_PAGE_SIZE = 25;
const DESTINATION_LABELS = Object.fromEntries(DESTINATION_TYPES.map((t) => [t.value, t.label]));
const helpers = { billingLabel, incrementsLabel, locationLabel, rate, destinationLabels: DESTINATION_LABELS };

export function ownedNumbersRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();

  const ownedQuery = validate(ownedQuerySchema, { from: 'query', fallback: { page: 1 } });
  const productId = (req: Request) => idParam(req, 'productId', 'Not found');

  router.get('/', ownedQuery, async (_req, res) => {
    const query = ownedQuery.data(res);
    const filters = ownedFiltersOf(query);
    const { rows, total } = await listOwnedDids(db, currentAccount(res).id, filters, pageWindow(query.page, OWNED_PAGE_SIZE));
    const { status, ...state } = filterState(ownedQuery.invalid(res), filters);
    await renderPage(res, 'customer/numbers', {
      title: 'My numbers', rows, ...state, exportHref: hrefWith('/customer/numbers/export.csv', filters),
      pager: pageLinks('/customer/numbers', { ...filters }, total, query.page, OWNED_PAGE_SIZE),
      ...helpers,
    }, status);
  });

  ownedExportRoute(router, context);

  async function showNumber(req: Request, res: Response, status = 200, form?: { values: Record<string, string>; errors: Record<string, string> }) {
    const owned = await findOwnedDid(db, currentAccount(res).id, productId(req));
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
    await showNumber(req, res);
  });

  const forwardingForm = validate(forwardingFormSchema, { onInvalid: (req, res, invalid) => showNumber(req, res, 400, invalid) });

  router.post('/:productId/forwarding', forwardingForm, async (req, res) => {
    const account = currentAccount(res);
    const id = productId(req);
    const form = forwardingForm.data(res);
    try {
      const saved = await setForwarding(db, {
        customerId: account.id, productId: id, type: form.destination_type, destination: form.destination, now: now(), actorId: account.id,
      });
      flash(req, 'success', `Calls now go to ${saved.destination}.`);
      res.redirect(303, `/customer/numbers/${id}`);
    } catch (error) {
      if (error instanceof ValidationError) return showNumber(req, res, 400, { values: formValues(req.body), errors: error.fields });
      throw error;
    }
  });

  router.get('/:productId/release', async (req, res) => {
    const id = productId(req);
    const owned = await findOwnedDid(db, currentAccount(res).id, id);
    if (!owned) throw new NotFoundError('Number not found');
    await renderPage(res, 'purchases/release', {
      title: `Release ${formatPhone(owned.number)}`,
      number: owned.number,
      action: `/customer/numbers/${id}/release`,
      cancel: `/customer/numbers/${id}`,
      goesTo: owned.seller_name ? `its seller, ${owned.seller_name}` : 'its seller',
      nextBillingAt: owned.billing_type === 'recurring' ? owned.next_billing_at : null,
      price: owned.price,
      creditsUnusedDays: context.config.creditUnusedDaysOnRelease && owned.billing_period !== 'days',
    });
  });

  router.post('/:productId/release', async (req, res) => {
    const account = currentAccount(res);
    const { product, credits } = await releaseDid(db, { accountId: account.id, productId: productId(req), now: now(), actorId: account.id, credit: releaseCreditOf(context) });
    flash(req, 'success', `${formatPhone(product.number)} was released. ${releaseCreditNote(credits, context.config.moneyDecimals)}`);
    res.redirect(303, '/customer/numbers');
  });

  return router;
}
