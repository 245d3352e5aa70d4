// "Payments settings": the admin enters the operator's Stripe keys, a reseller its own (so its
// customers pay it). Secrets are never shown again, only "set, ending in …".
import { Router, type Response } from 'express';
import { ValidationError } from '../../../errors.ts';
import { describeStripeSettings, updateStripeSettings } from '../../../services/stripe-settings.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { formValues, validate } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { settingsSchema } from './schema.ts';

export function paymentSettingsRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  const resellerIdOf = (res: Response) => (areaRole(res) === 'reseller' ? currentAccount(res).id : null);
  const base = (res: Response) => `/${areaRole(res)}/payment-settings`;

  async function renderSettings(res: Response, extra: Record<string, unknown>, status = 200) {
    const resellerId = resellerIdOf(res);
    const webhookPath = resellerId === null ? '/webhooks/stripe' : `/webhooks/stripe/reseller/${resellerId}`;
    await renderPage(res, 'payments/settings', {
      title: 'Payments settings', base: base(res), forReseller: resellerId !== null,
      settings: await describeStripeSettings(db, resellerId), webhookUrl: `${config.publicUrl}${webhookPath}`, values: {}, ...extra,
    }, status);
  }

  router.get('/', async (_req, res) => renderSettings(res, {}));

  const form = validate(settingsSchema, { onInvalid: (_req, res, { values, errors }) => renderSettings(res, { values, fieldErrors: errors }, 400) });
  router.post('/', form, async (req, res) => {
    const data = form.data(res);
    try {
      await updateStripeSettings(db, config, resellerIdOf(res), {
        secretKey: data.secret_key, webhookSecret: data.webhook_secret, publishableKey: data.publishable_key, clear: data.clear,
      }, now());
    } catch (error) {
      if (error instanceof ValidationError) return renderSettings(res, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    flash(req, 'success', data.clear ? 'Stripe keys removed: online payments are off.' : 'Payments settings saved.');
    res.redirect(base(res));
  });

  return router;
}
