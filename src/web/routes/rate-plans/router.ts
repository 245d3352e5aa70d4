// "Rate plans" for the admin (the operator's plans, which price its numbers) and for a reseller
// (its own resale plans, absolute or a markup over its buy terms). One router, mounted in each
// role's area, which says whose plans these are; every read carries the owner, so a foreign plan
// id is a 404. Each area mounts its own routes first: numbers-router (admin), apply-router (reseller).
import { Router, type Request, type Response } from 'express';
import { previewCosts } from '../../../domain/cost-preview.ts';
import { countRatePlans, listRatePlans, type PlanOwner } from '../../../db/repos/rate-plans.ts';
import { ValidationError } from '../../../errors.ts';
import { createRatePlan, loadRatePlan, planLines, reviseRatePlan, setRatePlanArchived, termsOfVersion, type SavedPlan } from '../../../services/rate-plans.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { idParam, validate } from '../../middleware/validate.ts';
import { hrefWith, pageLinks } from '../../presenters/page-links.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { planFormPage } from './form-page.ts';
import { FIELD_INFO, kindOfNew, newPlanValues, presentPlanListRow, rateMoney, summarise, versionValues } from './presenter.ts';
import { listQuerySchema, parsePlanForm, planFormSchema } from './schema.ts';
import { plansExportRoute } from './export.ts';

const PER_PAGE = 50;

export function ratePlansRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  const { renderForm, belowCostCheck, previewOptions } = planFormPage(context);
  const money = rateMoney(config);
  const ownerOf = (res: Response): PlanOwner => (areaRole(res) === 'admin' ? null : currentAccount(res).id);
  const baseOf = (res: Response) => `/${areaRole(res)}/rate-plans`;
  const planId = (req: Request) => idParam(req, 'id', 'There is no such rate plan');
  const listQuery = validate(listQuerySchema, { from: 'query' });
  plansExportRoute(router, context, ownerOf);

  router.get('/', listQuery, async (_req, res) => {
    const owner = ownerOf(res);
    const query = listQuery.data(res);
    const page = query.page ?? 1;
    const filters = { q: query.q, archived: query.archived };
    const [plans, total] = await Promise.all([
      listRatePlans(db, owner, filters, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE }),
      countRatePlans(db, owner, filters),
    ]);
    const rows = (await planLines(db, plans, now())).map(({ plan, inForce, scheduled }) => presentPlanListRow(plan, summarise(inForce, money), scheduled));
    await renderPage(res, 'rate-plans/index', {
      title: 'Rate plans', role: areaRole(res), base: baseOf(res), rows,
      pager: pageLinks(baseOf(res), filters, total, page, PER_PAGE), exportHref: hrefWith(`${baseOf(res)}/export.csv`, filters),
      values: { q: query.q ?? '', archived: query.archived ?? 'hide' },
    });
  });

  router.get('/new', async (req, res) => {
    const kind = kindOfNew(areaRole(res), req.query.kind);
    await renderForm(res, { mode: 'new', kind, values: newPlanValues(kind) });
  });

  const planForm = validate(planFormSchema);

  router.post('/', planForm, async (req, res) => {
    const typed = planForm.data(res);
    const kind = kindOfNew(areaRole(res), typed.kind);
    const values = { ...typed, kind };
    const check = await belowCostCheck(res, kind, values);
    if (check.stop) {
      const errors: Record<string, string> = check.fieldErrors ?? (check.blocked ? { accept_below_cost: `${check.margins!.negative} of your numbers would sell below cost: check the margins below, then tick the box to save anyway` } : {});
      return renderForm(res, { mode: 'new', kind, values, errors, margins: check.margins }, check.blocked ? 400 : 200);
    }
    const form = parsePlanForm(values, { kind, now: now(), withName: true });
    if (!form.ok) return renderForm(res, { mode: 'new', kind, values, errors: form.errors, margins: check.margins }, 400);
    let saved: SavedPlan;
    try {
      saved = await createRatePlan(db, ownerOf(res), form.data, { actorId: currentAccount(res).id, now: now() });
    } catch (error) {
      if (error instanceof ValidationError) return renderForm(res, { mode: 'new', kind, values, errors: error.fields, margins: check.margins }, 400);
      throw error;
    }
    flash(req, 'success', `Rate plan ${saved.plan.name} was created.`);
    res.redirect(303, `${baseOf(res)}/${saved.plan.id}`);
  });

  router.get('/:id', async (req, res) => {
    const detail = await loadRatePlan(db, ownerOf(res), planId(req), now());
    const currentTerms = detail.current ? termsOfVersion(detail.current) : undefined;
    await renderPage(res, 'rate-plans/show', {
      title: detail.plan.name, role: areaRole(res), base: baseOf(res), detail,
      versions: detail.versions.map((version) => ({ ...version, summary: summarise(version, money) })),
      currentSummary: summarise(detail.current, money),
      currentTerms,
      fields: FIELD_INFO,
      preview: currentTerms ? previewCosts(currentTerms, previewOptions) : undefined,
      previewOptions,
    });
  });

  router.get('/:id/edit', async (req, res) => {
    const detail = await loadRatePlan(db, ownerOf(res), planId(req), now());
    const values = { name: detail.plan.name, description: detail.plan.description, ...versionValues(detail.current ?? detail.versions[0]), effective: 'now' };
    await renderForm(res, { mode: 'edit', kind: detail.plan.kind, values, planId: detail.plan.id, planName: detail.plan.name, numberCount: detail.numberCount });
  });

  router.post('/:id', planForm, async (req, res) => {
    const owner = ownerOf(res);
    const id = planId(req);
    const detail = await loadRatePlan(db, owner, id, now());
    const values = planForm.data(res);
    const common = { mode: 'edit' as const, kind: detail.plan.kind, values, planId: id, planName: detail.plan.name, numberCount: detail.numberCount };
    const check = await belowCostCheck(res, detail.plan.kind, values, id);
    if (check.stop) {
      const errors: Record<string, string> = check.fieldErrors ?? (check.blocked ? { accept_below_cost: `${check.margins!.negative} of the numbers on this plan would sell below cost: check the margins below, then tick the box to save anyway` } : {});
      return renderForm(res, { ...common, errors, margins: check.margins }, check.blocked ? 400 : 200);
    }
    const form = parsePlanForm(values, { kind: detail.plan.kind, now: now(), withName: true });
    if (!form.ok) return renderForm(res, { ...common, errors: form.errors, margins: check.margins }, 400);
    let saved: SavedPlan;
    try {
      saved = await reviseRatePlan(db, owner, id, form.data, { actorId: currentAccount(res).id, now: now() });
    } catch (error) {
      if (error instanceof ValidationError) return renderForm(res, { ...common, errors: error.fields, margins: check.margins }, 400);
      throw error;
    }
    const starts = saved.version.effective_from.getTime() <= now().getTime() ? 'now' : `from ${res.locals.format.dateTime(saved.version.effective_from)}`;
    flash(req, 'success', `${saved.plan.name} is saved; its new terms apply ${starts} to every number on it.`);
    res.redirect(303, `${baseOf(res)}/${id}`);
  });

  router.post('/:id/archive', async (req, res) => {
    const plan = await setRatePlanArchived(db, ownerOf(res), planId(req), true, { actorId: currentAccount(res).id, now: now() });
    flash(req, 'success', `${plan.name} is archived: it can no longer be chosen; numbers on it keep its terms.`);
    res.redirect(303, `${baseOf(res)}/${plan.id}`);
  });

  router.post('/:id/restore', async (req, res) => {
    const plan = await setRatePlanArchived(db, ownerOf(res), planId(req), false, { actorId: currentAccount(res).id, now: now() });
    flash(req, 'success', `${plan.name} can be chosen again.`);
    res.redirect(303, `${baseOf(res)}/${plan.id}`);
  });

  return router;
}
