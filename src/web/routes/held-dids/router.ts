// The reseller's "My DIDs": the numbers it holds, its sell terms and margins, a markup over
// many numbers at once, and giving an unassigned number back to the admin. Mounted at /reseller/dids.
import { Router, type Request, type Response } from 'express';
import { listHeldCountries, listHeldDids } from '../../../db/repos/did-listings.ts';
import { defaultSellTerms, type PriceTerms } from '../../../domain/sell-terms.ts';
import { ConflictError, ValidationError } from '../../../errors.ts';
import { buyTermsOf, loadHeldDid, markupHeldDids, setSellTerms } from '../../../services/did-holdings.ts';
import { releaseDid } from '../../../services/releases.ts';
import { listPlanChoices } from '../../../db/repos/rate-plans.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { filterState, idParam, validate } from '../../middleware/validate.ts';
import { formatPhone } from '../../presenters/format.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { billingLabel, countryLabel, countrySelect, incrementsLabel, presentHeld, rate, releaseCreditNote } from '../../presenters/numbers.ts';
import { flash, renderPage } from '../../render.ts';
import { loadBillingNotices } from '../../../services/billing-notices.ts';
import type { AppContext } from '../../context.ts';
import { heldQuerySchema, markupFormSchema, sellTermsSchema } from './schema.ts';
import { releaseCreditOf } from '../buy/router.ts';
import { heldExportRoute, heldFiltersOf } from './export.ts';

export const HELD_PAGE_SIZE = 25;
const helpers = { billingLabel, countryLabel, incrementsLabel, rate };

export function heldDidsRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();

  const heldQuery = validate(heldQuerySchema, { from: 'query', fallback: { page: 1 } });
  const productId = (req: Request) => idParam(req, 'productId', 'Not found');

  router.get('/', heldQuery, async (_req, res) => {
    const account = currentAccount(res);
    const query = heldQuery.data(res);
    const filters = heldFiltersOf(query);
    const [{ rows, total }, countries] = await Promise.all([listHeldDids(db, account.id, filters, pageWindow(query.page, HELD_PAGE_SIZE)), listHeldCountries(db, account.id)]);
    const current = { ...filters };
    const { status, ...state } = filterState(heldQuery.invalid(res), current);
    await renderPage(res, 'reseller/dids', {
      title: 'My DIDs', rows: rows.map(presentHeld), total, ...state, countries: countrySelect(countries),
      exportHref: hrefWith('/reseller/dids/export.csv', current),
      defaultMarkup: config.resellerDefaultMarkupPercent,
      returnTo: hrefWith('/reseller/dids', { ...current, page: query.page > 1 ? query.page : undefined }),
      pager: pageLinks('/reseller/dids', current, total, query.page, HELD_PAGE_SIZE),
      ...helpers,
    }, status);
  });

  /** Back to the list as it was (its filters and page), never elsewhere. */
  const backTo = (returnTo: string | undefined) => (returnTo?.startsWith('/reseller/dids') ? returnTo : '/reseller/dids');
  const markupForm = validate(markupFormSchema, {
    onInvalid: (req, res, { values, errors }) => {
      flash(req, 'error', Object.values(errors)[0] ?? 'Check the form');
      res.redirect(303, backTo(values.return_to));
    },
  });

  router.post('/markup', markupForm, async (req, res) => {
    const account = currentAccount(res);
    const form = markupForm.data(res);
    let count: number;
    try {
      count = await markupHeldDids(db, {
        resellerId: account.id, productIds: form.ids, percent: form.percent, decimals: config.moneyDecimals, now: now(), actorId: account.id,
      });
    } catch (error) {
      // A markup that takes a price beyond what can be stored changes nothing and says why.
      if (!(error instanceof ValidationError)) throw error;
      flash(req, 'error', Object.values(error.fields)[0] ?? error.message);
      return res.redirect(303, backTo(form.return_to));
    }
    flash(req, 'success', `Sell terms of ${count} number${count === 1 ? '' : 's'} set to buy terms plus ${form.percent}%.`);
    res.redirect(303, backTo(form.return_to));
  });

  heldExportRoute(router, context);

  async function showNumber(req: Request, res: Response, status = 200, form?: { values: Record<string, string>; errors: Record<string, string> }) {
    const account = currentAccount(res);
    const held = presentHeld(await loadHeldDid(db, account.id, productId(req)));
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
    await showNumber(req, res);
  });

  const termsForm = validate(sellTermsSchema, { onInvalid: (req, res, invalid) => showNumber(req, res, 400, invalid) });

  router.post('/:productId/terms', termsForm, async (req, res) => {
    const account = currentAccount(res);
    const id = productId(req);
    await setSellTerms(db, { resellerId: account.id, productId: id, terms: termsForm.data(res), now: now(), actorId: account.id });
    flash(req, 'success', 'Sell terms saved. They apply to the next purchase of this number and to the calls of the customer who owns it.');
    res.redirect(303, `/reseller/dids/${id}`);
  });

  router.get('/:productId/release', async (req, res) => {
    const account = currentAccount(res);
    const id = productId(req);
    const held = presentHeld(await loadHeldDid(db, account.id, id));
    await renderPage(res, 'purchases/release', {
      title: `Release ${formatPhone(held.number)}`,
      number: held.number,
      action: `/reseller/dids/${id}/release`,
      cancel: `/reseller/dids/${id}`,
      blocked: held.customer_id !== null ? `${held.customer_name} owns this number: it can be released only once the customer gives it up.` : undefined,
      goesTo: "the admin's stock",
      nextBillingAt: held.next_billing_at,
      price: held.buy.monthly_fee,
      creditsUnusedDays: config.creditUnusedDaysOnRelease && held.billing_period !== 'days',
    });
  });

  router.post('/:productId/release', async (req, res) => {
    const account = currentAccount(res);
    const id = productId(req);
    try {
      const { product, credits } = await releaseDid(db, { accountId: account.id, productId: id, now: now(), actorId: account.id, credit: releaseCreditOf(context) });
      flash(req, 'success', `${formatPhone(product.number)} was released to the admin's stock. ${releaseCreditNote(credits, config.moneyDecimals)}`);
      res.redirect(303, '/reseller/dids');
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, 'error', error.message);
      res.redirect(303, `/reseller/dids/${id}`);
    }
  });

  return router;
}
