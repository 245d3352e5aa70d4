// "Buy DIDs" for resellers and customers: the seller's shelf at the seller's prices, a
// confirmation that shows every charge, the purchase, and the receipt. Mounted at /buy and
// /receipts of each buyer's router; links are built from where it is mounted.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { OfferFilters } from '../../db/repos/did-listings.ts';
import { findReceipt } from '../../db/repos/did-listings.ts';
import { ConflictError, InsufficientFundsError, NotFoundError } from '../../errors.ts';
import { loadOffers } from '../../services/did-holdings.ts';
import { purchaseDid, quotePurchase, type PricingSettings } from '../../services/purchases.ts';
import { currentAccount } from '../middleware/auth.ts';
import { parseForm } from '../middleware/validate.ts';
import { pageLinks, pageWindow } from '../presenters/page-links.ts';
import { billingLabel, countryOptions, incrementsLabel, locationLabel, rate } from '../presenters/numbers.ts';
import { flash, renderPage } from '../render.ts';
import type { AppContext } from '../context.ts';
import { offersQuerySchema, pathId, purchaseFormSchema } from './number-forms.ts';

export const OFFERS_PAGE_SIZE = 25;

export function pricingOf(context: AppContext): PricingSettings {
  return { markupPercent: context.config.resellerDefaultMarkupPercent, decimals: context.config.moneyDecimals };
}

/** "/reseller" or "/customer": the role's root, from where this router is mounted. */
function roleBase(req: Request): string {
  return `/${currentAccountRole(req)}`;
}

function currentAccountRole(req: Request): string {
  return req.baseUrl.split('/')[1] ?? '';
}

const helpers = { billingLabel, incrementsLabel, locationLabel, rate };

export function buyRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();

  router.get('/', async (req, res) => {
    const account = currentAccount(res);
    const parsed = parseForm(offersQuerySchema, req.query);
    const query = parsed.ok ? parsed.data : { page: 1 };
    const filters: OfferFilters = parsed.ok
      ? { country: parsed.data.country, province: parsed.data.province, city: parsed.data.city, contains: parsed.data.contains, prefix: parsed.data.prefix, maxMonthly: parsed.data.max_monthly }
      : {};
    const offers = await loadOffers(db, account.id, filters, pageWindow(query.page, OFFERS_PAGE_SIZE));
    const current = { country: filters.country, province: filters.province, city: filters.city, contains: filters.contains, prefix: filters.prefix, max_monthly: filters.maxMonthly };
    await renderPage(
      res,
      'purchases/offers',
      {
        title: 'Buy DIDs',
        offers,
        base: req.baseUrl,
        countries: countryOptions(offers.countries),
        values: parsed.ok ? current : req.query,
        fieldErrors: parsed.ok ? {} : parsed.errors,
        pager: pageLinks(req.baseUrl, current, offers.total, query.page, OFFERS_PAGE_SIZE),
        ...helpers,
      },
      parsed.ok ? 200 : 400,
    );
  });

  async function showConfirmation(req: Request, res: Response, productId: number, status = 200, error?: string): Promise<void> {
    const quote = await quotePurchase(db, { buyerId: currentAccount(res).id, productId, now: now() });
    await renderPage(
      res,
      'purchases/confirm',
      { title: `Buy ${quote.product.number}`, quote, base: req.baseUrl, purchaseKey: randomUUID(), formError: error, ...helpers },
      status,
    );
  }

  router.get('/:productId', async (req, res) => {
    const productId = pathId(req.params.productId);
    if (productId === undefined) throw new NotFoundError();
    await showConfirmation(req, res, productId);
  });

  router.post('/:productId', async (req, res) => {
    const account = currentAccount(res);
    const productId = pathId(req.params.productId);
    if (productId === undefined) throw new NotFoundError();
    const form = parseForm(purchaseFormSchema, req.body);
    if (!form.ok) return showConfirmation(req, res, productId, 400, form.errors.purchase_key ?? 'Reload the page and try again.');
    try {
      const result = await purchaseDid(db, {
        buyerId: account.id,
        productId,
        idempotencyKey: form.data.purchase_key,
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
      res.redirect(303, `${roleBase(req)}/receipts/${result.subscription.id}`);
    } catch (error) {
      if (error instanceof InsufficientFundsError) return showConfirmation(req, res, productId, 402, error.message);
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
    const subscriptionId = pathId(req.params.subscriptionId);
    if (subscriptionId === undefined) throw new NotFoundError();
    const found = await findReceipt(db, currentAccount(res).id, subscriptionId);
    if (!found) throw new NotFoundError('Receipt not found');
    await renderPage(res, 'purchases/receipt', {
      title: `Receipt for ${found.receipt.number}`,
      ...found,
      base: roleBase(req),
      billingLabel,
    });
  });

  return router;
}
