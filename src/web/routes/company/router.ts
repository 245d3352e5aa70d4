// The company profile (mounted at /<role>/company): a seller's legal name, address, tax id, logo,
// invoice prefix, payment terms and footer (what its invoices show), a customer's billing details;
// the admin's tax rates; the taxes, exemption and billing day of the accounts a seller bills.
import { Router, raw as rawBody, type Request, type Response } from 'express';
import type { AccountScope } from '../../../db/repos/account-directory.ts';
import { findLogo } from '../../../db/queries/invoices.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import {
  MAX_LOGO_BYTES, changeTaxRate, createTaxRate, loadAccountBilling, loadCompanyProfile, loadTaxRates, updateAccountBilling, updateCompanyLogo,
  updateCompanyProfile,
} from '../../../services/company-profiles.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import type { Role } from '../../../db/repos/accounts.ts';
import { idParam, validate, type Invalid } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { accountBillingSchema, profileSchema, taxRateSchema } from './schema.ts';

export function companyRouter({ db, now }: AppContext, role: Role): Router {
  const router = Router();
  const base = (res: Response) => `/${areaRole(res)}/company`;

  const renderProfile = async (res: Response, invalid?: Invalid) => {
    const role = areaRole(res);
    const profile = await loadCompanyProfile(db, currentAccount(res).id);
    const values = invalid?.values ?? (profile
      ? { ...profile, logo: undefined, payment_terms_days: String(profile.payment_terms_days) }
      : { legal_name: currentAccount(res).name, invoice_prefix: 'INV-', payment_terms_days: '14' });
    await renderPage(res, 'company/profile', {
      title: role === 'customer' ? 'Billing details' : 'Company profile', role, base: base(res), seller: role !== 'customer',
      hasProfile: Boolean(profile), hasLogo: Boolean(profile?.logo), values, fieldErrors: invalid?.errors ?? {},
      taxRates: role === 'admin' ? await loadTaxRates(db) : [], maxLogoKb: MAX_LOGO_BYTES / 1024,
    }, invalid ? 400 : 200);
  };
  const profileForm = validate(profileSchema, { onInvalid: (_req, res, invalid) => renderProfile(res, invalid) });
  const taxForm = validate(taxRateSchema, { onInvalid: (_req, res, invalid) => renderProfile(res, invalid) });

  router.get('/', async (_req, res) => renderProfile(res));

  router.post('/', profileForm, async (req, res) => {
    const form = profileForm.data(res);
    const seller = areaRole(res) !== 'customer';
    await updateCompanyProfile(db, currentAccount(res).id, {
      ...form, invoice_prefix: seller ? form.invoice_prefix : 'INV-', payment_terms_days: seller ? form.payment_terms_days : 14, footer: seller ? form.footer : '',
    }, { actorId: currentAccount(res).id, now: now() });
    flash(req, 'success', 'Saved. Invoices issued from now on show these details.');
    res.redirect(303, base(res));
  });

  const scopeOf = (res: Response): AccountScope =>
    areaRole(res) === 'admin' ? { kind: 'admin', adminId: currentAccount(res).id } : { kind: 'reseller', resellerId: currentAccount(res).id };
  const renderBilling = async (req: Request, res: Response, invalid?: Invalid) => {
    const id = idParam(req, 'id', 'No such account');
    const { account, taxRates, assigned, settings } = await loadAccountBilling(db, scopeOf(res), id);
    await renderPage(res, 'company/account-billing', {
      title: `Billing of ${account.name}`, base: base(res), account: { id: account.id, name: account.name },
      taxRates: taxRates.map((rate) => ({ id: rate.id, label: `${rate.name} (${rate.rate} %${rate.compound ? ', compound' : ''})`, checked: assigned.includes(rate.id) })),
      values: invalid?.values ?? { exempt_reason: settings.tax_exempt_reason ?? '', billing_day: String(settings.billing_day) }, fieldErrors: invalid?.errors ?? {},
    }, invalid ? 400 : 200);
  };
  // A customer keeps billing details only: no logo, taxes or accounts to bill.
  if (role === 'customer') return router;

  router.get('/logo', async (_req, res) => {
    const logo = await findLogo(db, currentAccount(res).id);
    if (!logo) throw new NotFoundError('No logo yet');
    res.type(logo.type).set('Cache-Control', 'private, no-cache').send(logo.data);
  });

  // The page's script sends the image itself as the body, with the CSRF token in a header.
  router.post('/logo', rawBody({ type: () => true, limit: MAX_LOGO_BYTES + 1 }), async (req: Request, res) => {
    try {
      await updateCompanyLogo(db, currentAccount(res).id, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), now());
    } catch (error) {
      if (error instanceof ValidationError) return void res.status(400).json({ error: error.message });
      throw error;
    }
    flash(req, 'success', 'Logo saved.');
    res.json({ location: base(res) });
  });

  router.post('/logo/remove', async (req, res) => {
    await updateCompanyLogo(db, currentAccount(res).id, null, now());
    flash(req, 'success', 'Logo removed.');
    res.redirect(303, base(res));
  });

  const billingForm = validate(accountBillingSchema, { onInvalid: (req, res, invalid) => renderBilling(req, res, invalid) });
  router.get('/accounts/:id', async (req, res) => renderBilling(req, res));
  router.post('/accounts/:id', billingForm, async (req, res) => {
    const form = billingForm.data(res);
    await updateAccountBilling(db, scopeOf(res), idParam(req, 'id', 'No such account'), { taxRateIds: form.taxes, exemptReason: form.exempt_reason, billingDay: form.billing_day }, {
      actorId: currentAccount(res).id, now: now(),
    });
    flash(req, 'success', 'Billing settings saved: they apply to the next invoice.');
    res.redirect(303, `${base(res)}/accounts/${req.params.id}`);
  });

  if (role !== 'admin') return router;

  router.post('/taxes', taxForm, async (req, res) => {
    const tax = await createTaxRate(db, taxForm.data(res), { actorId: currentAccount(res).id, now: now() });
    flash(req, 'success', `Tax ${tax.name} added: assign it to accounts from their billing settings.`);
    res.redirect(303, base(res));
  });

  router.post('/taxes/:id', taxForm, async (req, res) => {
    await changeTaxRate(db, idParam(req, 'id', 'There is no such tax'), taxForm.data(res), { actorId: currentAccount(res).id, now: now() });
    flash(req, 'success', 'Tax saved. Invoices already issued keep the taxes they were issued with.');
    res.redirect(303, base(res));
  });

  return router;
}
