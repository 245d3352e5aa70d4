// The reseller's "My DIDs": the numbers it holds, its sell terms and margins, a markup over
// many numbers at once, and giving an unassigned number back to the admin.
import { Router, type Request, type Response } from 'express';
import type { HeldFilters } from '../../../db/repos/did-listings.ts';
import { listHeldDids } from '../../../db/repos/did-listings.ts';
import { defaultSellTerms, type PriceTerms } from '../../../domain/sell-terms.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import { buyTermsOf, loadHeldDid, markupHeldDids, setSellTerms } from '../../../services/did-holdings.ts';
import { releaseDid } from '../../../services/purchases.ts';
import { listPlanChoices } from '../../../db/repos/rate-plans.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { formValues, parseForm } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { billingLabel, countryLabel, incrementsLabel, presentHeld, rate } from '../../presenters/numbers.ts';
import { flash, renderPage } from '../../render.ts';
import { loadBillingNotices } from '../../../services/billing-notices.ts';
import type { AppContext } from '../../context.ts';
import { heldQuerySchema, markupFormSchema, pathId, sellTermsSchema } from '../number-forms.ts';

export const HELD_PAGE_SIZE = 25;
const helpers = { billingLabel, countryLabel, incrementsLabel, rate };

export function didsRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();

  router.get('/', async (req, res) => {
    const account = currentAccount(res);
    const parsed = parseForm(heldQuerySchema, req.query);
    const query = parsed.ok ? parsed.data : { page: 1 };
    const filters: HeldFilters = parsed.ok ? { contains: parsed.data.contains, country: parsed.data.country, assignment: parsed.data.assignment } : {};
    const { rows, total } = await listHeldDids(db, account.id, filters, pageWindow(query.page, HELD_PAGE_SIZE));
    const current = { ...filters };
    await renderPage(
      res,
      'reseller/dids',
      {
        title: 'My DIDs',
        rows: rows.map(presentHeld),
        total,
        values: parsed.ok ? current : req.query,
        fieldErrors: parsed.ok ? {} : parsed.errors,
        defaultMarkup: config.resellerDefaultMarkupPercent,
        returnTo: hrefWith('/reseller/dids', { ...current, page: query.page > 1 ? query.page : undefined }),
        pager: pageLinks('/reseller/dids', current, total, query.page, HELD_PAGE_SIZE),
        ...helpers,
      },
      parsed.ok ? 200 : 400,
    );
  });

  router.post('/markup', async (req, res) => {
    const account = currentAccount(res);
    const form = parseForm(markupFormSchema, req.body);
    const back = typeof req.body?.return_to === 'string' && req.body.return_to.startsWith('/reseller/dids') ? req.body.return_to : '/reseller/dids';
    if (!form.ok) {
      flash(req, 'error', Object.values(form.errors)[0] ?? 'Check the form');
      return res.redirect(303, back);
    }
    let count: number;
    try {
      count = await markupHeldDids(db, {
        resellerId: account.id, productIds: form.data.ids, percent: form.data.percent, decimals: config.moneyDecimals, now: now(), actorId: account.id,
      });
    } catch (error) {
      // A markup that takes a price beyond what can be stored changes nothing and says why.
      if (!(error instanceof ValidationError)) throw error;
      flash(req, 'error', Object.values(error.fields)[0] ?? error.message);
      return res.redirect(303, back);
    }
    flash(req, 'success', `Sell terms of ${count} number${count === 1 ? '' : 's'} set to buy terms plus ${form.data.percent}%.`);
    res.redirect(303, back);
  });

  async function showNumber(req: Request, res: Response, productId: number, status = 200, form?: { values: Record<string, string>; errors: Record<string, string> }) {
    const account = currentAccount(res);
    const held = presentHeld(await loadHeldDid(db, account.id, productId));
    const suggested: PriceTerms = defaultSellTerms(buyTermsOf(held), config.resellerDefaultMarkupPercent, config.moneyDecimals);
    const start = held.sell ?? suggested;
    const values = form?.values ?? {
      setup_fee: rate(start.setup_fee), monthly_fee: rate(start.monthly_fee), connection_cost: rate(start.connection_cost),
      grace_seconds: String(start.grace_seconds), cost_per_minute: rate(start.cost_per_minute),
      initial_increment: String(start.initial_increment), increment: String(start.increment),
    };
    await renderPage(
      res,
      'reseller/did',
      {
        title: held.number, held, suggested, values, fieldErrors: form?.errors ?? {}, defaultMarkup: config.resellerDefaultMarkupPercent, ...helpers,
        ratePlans: await listPlanChoices(db, account.id),
        billingNotices: await loadBillingNotices(db, account.id, { now: now(), noticeDays: config.renewalNoticeDays, graceDays: config.billingGraceDays }, held.id),
      },
      status,
    );
  }

  router.get('/:productId', async (req, res) => {
    const productId = pathId(req.params.productId);
    if (productId === undefined) throw new NotFoundError();
    await showNumber(req, res, productId);
  });

  router.post('/:productId/terms', async (req, res) => {
    const account = currentAccount(res);
    const productId = pathId(req.params.productId);
    if (productId === undefined) throw new NotFoundError();
    const form = parseForm(sellTermsSchema, req.body);
    if (!form.ok) return showNumber(req, res, productId, 400, { values: formValues(req.body), errors: form.errors });
    await setSellTerms(db, { resellerId: account.id, productId, terms: form.data, now: now(), actorId: account.id });
    flash(req, 'success', 'Sell terms saved. They apply to the next purchase of this number and to the calls of the customer who owns it.');
    res.redirect(303, `/reseller/dids/${productId}`);
  });

  router.get('/:productId/release', async (req, res) => {
    const account = currentAccount(res);
    const productId = pathId(req.params.productId);
    if (productId === undefined) throw new NotFoundError();
    const held = presentHeld(await loadHeldDid(db, account.id, productId));
    await renderPage(res, 'purchases/release', {
      title: `Release ${held.number}`,
      number: held.number,
      action: `/reseller/dids/${productId}/release`,
      cancel: `/reseller/dids/${productId}`,
      blocked: held.customer_id !== null ? `${held.customer_name} owns this number: it can be released only once the customer gives it up.` : undefined,
      goesTo: "the admin's stock",
      nextBillingAt: held.next_billing_at,
      price: held.buy.monthly_fee,
    });
  });

  router.post('/:productId/release', async (req, res) => {
    const account = currentAccount(res);
    const productId = pathId(req.params.productId);
    if (productId === undefined) throw new NotFoundError();
    try {
      const { product } = await releaseDid(db, { accountId: account.id, productId, now: now(), actorId: account.id });
      flash(req, 'success', `${product.number} was released to the admin's stock. Nothing was refunded.`);
      res.redirect(303, '/reseller/dids');
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, 'error', error.message);
      res.redirect(303, `/reseller/dids/${productId}`);
    }
  });

  return router;
}
