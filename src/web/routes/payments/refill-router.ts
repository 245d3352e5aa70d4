// An account's automatic refill: save a card through Checkout (setup mode), then "when available
// funds fall below X, charge Y", run by the billing schedule.
import { Router, type Response } from 'express';
import { ValidationError } from '../../../errors.ts';
import { loadRefillSettings, updateRefillSettings } from '../../../services/refill-settings.ts';
import { PaymentsOffError, startCardSetup } from '../../../services/stripe-checkout.ts';
import { payeeOf } from '../../../services/stripe-settings.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { formValues, validate } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { presentRefill } from './presenter.ts';
import { refillSchema } from './schema.ts';

export function refillRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  const base = (res: Response) => `/${areaRole(res)}/refill`;

  async function renderRefill(res: Response, extra: Record<string, unknown>, status = 200) {
    const account = currentAccount(res);
    const payee = await payeeOf(db, config, account);
    const refill = presentRefill(await loadRefillSettings(db, account.id));
    await renderPage(res, 'payments/refill', {
      title: 'Automatic refill', base: base(res), paymentsBase: `/${areaRole(res)}/payments`, refill,
      online: payee.keys !== undefined, contact: { name: payee.name, email: payee.email },
      values: { enabled: refill.enabled ? 'on' : '', threshold: refill.threshold, amount: refill.amount },
      limits: { min: config.paymentMinAmount, max: config.paymentMaxAmount, currency: config.currency }, ...extra,
    }, status);
  }

  router.get('/', async (req, res) => {
    const card = req.query.card === 'saved' ? 'saved' : req.query.card === 'cancelled' ? 'cancelled' : undefined;
    await renderRefill(res, { card });
  });

  const form = validate(refillSchema, { onInvalid: (_req, res, { values, errors }) => renderRefill(res, { values, fieldErrors: errors }, 400) });
  router.post('/', form, async (req, res) => {
    try {
      await updateRefillSettings(db, currentAccount(res).id, form.data(res), { min: config.paymentMinAmount, max: config.paymentMaxAmount }, now());
    } catch (error) {
      if (error instanceof ValidationError) return renderRefill(res, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    flash(req, 'success', 'Automatic refill saved.');
    res.redirect(base(res));
  });

  router.post('/card', async (_req, res) => {
    try {
      res.redirect(303, await startCardSetup(db, config, currentAccount(res), base(res), now()));
    } catch (error) {
      if (error instanceof PaymentsOffError) return renderRefill(res, { fieldErrors: { enabled: error.message } }, 409);
      throw error;
    }
  });

  return router;
}
