// "Buy DIDs" for resellers and customers: the seller's shelf at the seller's prices, a
// confirmation that shows every charge, the purchase, and the receipt. Mounted at /buy and
// /receipts of each buyer's area; links are built from the area's role.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { findReceipt } from '../../../db/repos/did-listings.ts';
import { ConflictError, InsufficientFundsError, NotFoundError } from '../../../errors.ts';
import { loadOffers } from '../../../services/did-holdings.ts';
import type { PricingSettings } from '../../../services/acquisition.ts';
import { purchaseDid, quotePurchase } from '../../../services/purchases.ts';
import type { ReleaseCreditSettings } from '../../../services/release-credits.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { filterState, idParam, validate } from '../../middleware/validate.ts';
import { pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { billingLabel, countryOptions, firstChargeLabel, incrementsLabel, locationLabel, rate } from '../../presenters/numbers.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { offersQuerySchema, purchaseFormSchema } from './schema.ts';

export const OFFERS_PAGE_SIZE = 25;

export function pricingOf(context: AppContext): PricingSettings {
  return { markupPercent: context.config.resellerDefaultMarkupPercent, decimals: context.config.moneyDecimals, prorateFirstPeriod: context.config.prorateFirstPeriod };
}

/** Whether a release mid-period credits the unused days (CREDIT_UNUSED_DAYS_ON_RELEASE), and their rounding. */
export function releaseCreditOf(context: AppContext): ReleaseCreditSettings {
  return { creditUnusedDays: context.config.creditUnusedDaysOnRelease, decimals: context.config.moneyDecimals };
}

const helpers = { billingLabel, incrementsLabel, locationLabel, rate };

export function buyRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();
  const offersQuery = validate(offersQuerySchema, { from: 'query', fallback: { page: 1 } });
  const productId = (req: Request) => idParam(req, 'productId', 'Not found');

  router.get('/', offersQuery, async (req, res) => {
    const query = offersQuery.data(res);
    const filters = { country: query.country, province: query.province, city: query.city, contains: query.contains, prefix: query.prefix, maxMonthly: query.max_monthly };
    const offers = await loadOffers(db, currentAccount(res).id, filters, pageWindow(query.page, OFFERS_PAGE_SIZE));
    const current = { country: filters.country, province: filters.province, city: filters.city, contains: filters.contains, prefix: filters.prefix, max_monthly: filters.maxMonthly };
    const { status, ...state } = filterState(offersQuery.invalid(res), current);
    const firstCharge = firstChargeLabel(currentAccount(res).billing_day, now(), pricingOf(context));
    await renderPage(res, 'purchases/offers', {
      title: 'Buy DIDs', offers, firstCharge, billingDay: currentAccount(res).billing_day, prorated: context.config.prorateFirstPeriod, base: req.baseUrl, countries: countryOptions(offers.countries), ...state,
      pager: pageLinks(req.baseUrl, current, offers.total, query.page, OFFERS_PAGE_SIZE),
      ...helpers,
    }, status);
  });

  async function showConfirmation(req: Request, res: Response, status = 200, error?: string): Promise<void> {
    const quote = await quotePurchase(db, { buyerId: currentAccount(res).id, productId: productId(req), now: now(), pricing: pricingOf(context) });
    await renderPage(
      res,
      'purchases/confirm',
      { title: `Buy ${quote.product.number}`, quote, base: req.baseUrl, purchaseKey: randomUUID(), formError: error, ...helpers },
      status,
    );
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
      flash(
        req,
        result.replayed ? 'info' : 'success',
        result.replayed
          ? `You had already bought ${result.product.number} with this form; nothing more was charged.`
          : `You bought ${result.product.number}.`,
      );
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

export function receiptsRouter({ db }: AppContext): Router {
  const router = Router();

  router.get('/:subscriptionId', async (req, res) => {
    const found = await findReceipt(db, currentAccount(res).id, idParam(req, 'subscriptionId', 'Not found'));
    if (!found) throw new NotFoundError('Receipt not found');
    await renderPage(res, 'purchases/receipt', { title: `Receipt for ${found.receipt.number}`, ...found, base: `/${areaRole(res)}`, billingLabel });
  });

  return router;
}
