// A reseller puts the numbers it holds on one of its plans: one number from its page (its margin
// first), or many from the plan's page (every number with its buy terms, the plan's sell terms and
// the margin, negative ones highlighted), before anything is saved. Mounted in the reseller's area.
import { Router, type Request } from 'express';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { applyResellerPlan, previewResale } from '../../../services/plan-numbers.ts';
import { loadRatePlan } from '../../../services/rate-plans.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { idParam, validate } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { applyFormSchema, applyOneFormSchema, applyOneQuerySchema } from './schema.ts';

const BASE = '/reseller/rate-plans';

export function applyRouter({ db, config, now }: AppContext): Router {
  const router = Router();
  const planId = (req: Request) => idParam(req, 'id', 'There is no such rate plan');
  const oneQuery = validate(applyOneQuerySchema, { from: 'query' });
  const oneForm = validate(applyOneFormSchema);
  const manyForm = validate(applyFormSchema);

  router.get('/apply-one', oneQuery, async (req, res) => {
    const resellerId = currentAccount(res).id;
    const { product_id: productId, plan } = oneQuery.data(res);
    if (productId === undefined) throw new NotFoundError('There is no such number');
    if (plan === undefined) {
      flash(req, 'error', 'Choose one of your rate plans');
      return res.redirect(303, `/reseller/dids/${productId}`);
    }
    const detail = await loadRatePlan(db, resellerId, plan, now());
    const preview = await previewResale(db, resellerId, { planId: detail.plan.id }, [productId], { now: now(), decimals: config.moneyDecimals });
    if (preview.total === 0) throw new NotFoundError('There is no such number');
    await renderPage(res, 'rate-plans/apply-one', { title: `Apply ${detail.plan.name}`, base: BASE, detail, row: preview.rows[0] });
  });

  router.post('/apply-one', oneForm, async (req, res) => {
    const resellerId = currentAccount(res).id;
    const form = oneForm.data(res);
    const result = await applyResellerPlan(db, resellerId, form.plan, [form.product_id], { actorId: resellerId, now: now() });
    if (result.count === 0) throw new NotFoundError('There is no such number');
    flash(req, 'success', form.plan !== null ? 'The number is now sold on the plan.' : 'The number is sold at its own sell terms again.');
    res.redirect(303, form.back?.startsWith('/reseller/') ? form.back : BASE);
  });

  router.get('/:id/apply', async (req, res) => {
    const resellerId = currentAccount(res).id;
    const detail = await loadRatePlan(db, resellerId, planId(req), now());
    const preview = await previewResale(db, resellerId, { planId: detail.plan.id }, 'all', { now: now(), decimals: config.moneyDecimals, limit: 500 });
    await renderPage(res, 'rate-plans/apply', {
      title: `Apply ${detail.plan.name}`, base: BASE, detail, preview, values: {}, fieldErrors: {},
    });
  });

  router.post('/:id/apply', manyForm, async (req, res) => {
    const resellerId = currentAccount(res).id;
    const id = planId(req);
    try {
      const result = await applyResellerPlan(db, resellerId, id, manyForm.data(res), { actorId: resellerId, now: now() });
      flash(req, 'success', `${result.count} ${result.count === 1 ? 'number is' : 'numbers are'} now sold on this plan.`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      flash(req, 'error', Object.values(error.fields)[0] ?? error.message);
      return res.redirect(303, `${BASE}/${id}/apply`);
    }
    res.redirect(303, `${BASE}/${id}`);
  });

  return router;
}
