// "Buy DIDs" for resellers and customers: the number search over the seller's shelf at the
// seller's prices, a confirmation that shows every charge, the purchase, and the receipt. Mounted
// at /buy and /receipts of each buyer's area; links are built from the area's role. Several ticked
// numbers are confirmed and bought together by multi-router.ts.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { findReceipt } from '../../../db/repos/did-listings.ts';
import { ConflictError, InsufficientFundsError, NotFoundError } from '../../../errors.ts';
import { loadOffers } from '../../../services/did-holdings.ts';
import { purchaseDid, quotePurchase } from '../../../services/purchases.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { filterState, idParam, validate } from '../../middleware/validate.ts';
import { formatPhone } from '../../presenters/format.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { billingLabel, firstChargeLabel, firstPeriodLabel, incrementsLabel, locationLabel } from '../../presenters/numbers.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { pricingOf, releaseCreditOf } from './pricing.ts';
import { multiPurchaseRoutes, multiReceiptRoute } from './multi-router.ts';
import { BILLING_OPTIONS, SORT_OPTIONS, countrySelect, presentOffer, sortHeader } from './presenter.ts';
import { offersQuerySchema, purchaseFormSchema } from './schema.ts';
import { offerFiltersOf, offersExportRoute } from './export.ts';

export const OFFERS_PAGE_SIZE = 25;
export { pricingOf, releaseCreditOf };

const helpers = { billingLabel, incrementsLabel, locationLabel };

export function buyRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();
  const offersQuery = validate(offersQuerySchema, { from: 'query', fallback: { page: 1, sort: 'number' } });
  const productId = (req: Request) => idParam(req, 'productId', 'Not found');

  router.get('/', offersQuery, async (req, res) => {
    const query = offersQuery.data(res);
    const filters = offerFiltersOf(query);
    const offers = await loadOffers(db, currentAccount(res).id, filters, pageWindow(query.page, OFFERS_PAGE_SIZE), now(), query.sort);
    const current = {
      country: query.country, province: query.province, city: query.city, prefix: query.prefix, contains: query.contains,
      max_monthly: query.max_monthly, max_setup: query.max_setup, billing_type: query.billing_type, sort: query.sort === 'number' ? undefined : query.sort,
    };
    const { status, ...state } = filterState(offersQuery.invalid(res), current);
    const firstCharge = firstChargeLabel(currentAccount(res).billing_day, now(), pricingOf(context));
    await renderPage(res, 'purchases/offers', {
      title: status === 400 ? 'Error: Buy DIDs' : 'Buy DIDs',
      offers: { ...offers, rows: offers.rows.map((row) => presentOffer(row, firstCharge)) }, base: req.baseUrl, current, sort: query.sort,
      billingDay: currentAccount(res).billing_day, prorated: context.config.prorateFirstPeriod,
      countries: countrySelect(offers.countries), ...helpers, billingOptions: BILLING_OPTIONS, sortOptions: SORT_OPTIONS, sortHeader, ...state,
      pager: pageLinks(req.baseUrl, current, offers.total, query.page, OFFERS_PAGE_SIZE), exportHref: hrefWith(`${req.baseUrl}/export.csv`, { ...current, sort: undefined }),
    }, status);
  });

  multiPurchaseRoutes(router, context);
  offersExportRoute(router, context);

  async function showConfirmation(req: Request, res: Response, status = 200, error?: string): Promise<void> {
    const quote = await quotePurchase(db, { buyerId: currentAccount(res).id, productId: productId(req), now: now(), pricing: pricingOf(context) });
    const title = `${error ? 'Error: ' : ''}Buy ${formatPhone(quote.product.number)}`;
    const firstLabel = firstPeriodLabel(quote, (day) => res.locals.format.date(day));
    await renderPage(res, 'purchases/confirm', { title, quote, firstLabel, base: req.baseUrl, purchaseKey: randomUUID(), formError: error, ...helpers }, status);
  }

  router.get('/:productId', async (req, res) => {
    await showConfirmation(req, res);
  });

  const purchaseForm = validate(purchaseFormSchema, {
    onInvalid: (req, res, { errors }) => showConfirmation(req, res, 400, errors.purchase_key ?? 'Reload the page and try again.'),
  });

  router.post('/:productId', purchaseForm, async (req, res) => {
    const account = currentAccount(res);
    try {
      const result = await purchaseDid(db, {
        buyerId: account.id,
        productId: productId(req),
        idempotencyKey: purchaseForm.data(res).purchase_key,
        now: now(),
        actorId: account.id,
        pricing: pricingOf(context),
      });
      const number = formatPhone(result.product.number);
      flash(req, result.replayed ? 'info' : 'success', result.replayed ? `You had already bought ${number} with this form; nothing more was charged.` : `You bought ${number}.`);
      res.redirect(303, `/${areaRole(res)}/receipts/${result.subscription.id}`);
    } catch (error) {
      if (error instanceof InsufficientFundsError) return showConfirmation(req, res, 402, error.message);
      if (error instanceof ConflictError || error instanceof NotFoundError) {
        flash(req, 'error', error.message);
        return res.redirect(303, req.baseUrl);
      }
      throw error;
    }
  });

  return router;
}

export function receiptsRouter(context: AppContext): Router {
  const { db } = context;
  const router = Router();
  multiReceiptRoute(router, context);

  router.get('/:subscriptionId', async (req, res) => {
    const found = await findReceipt(db, currentAccount(res).id, idParam(req, 'subscriptionId', 'Not found'));
    if (!found) throw new NotFoundError('Receipt not found');
    await renderPage(res, 'purchases/receipt', { title: `Receipt for ${formatPhone(found.receipt.number)}`, ...found, base: `/${areaRole(res)}`, billingLabel });
  });

  return router;
}
