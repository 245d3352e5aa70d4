// "Rate plans" for the admin (the operator's plans, which price its numbers) and for a reseller
// (its own resale plans, absolute or a markup over its buy terms). One router, mounted under each
// role's guard; every read carries the owner, so a foreign plan id is a 404.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { previewCosts } from '../../domain/cost-preview.ts';
import { DID_FIELDS, RATE_TERM_FIELDS, formatDidNumber } from '../../domain/did-terms.ts';
import { MARKUP_FIELDS, describeMarkup, versionInForce, type PlanKind } from '../../domain/rate-plans.ts';
import { formatMoney } from '../../domain/money.ts';
import { listResoldOnPlan } from '../../db/repos/plan-numbers.ts';
import { countRatePlans, listRatePlans, versionsOfPlans, type PlanOwner, type RatePlanVersionRow } from '../../db/repos/rate-plans.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import {
  applyResellerPlan, createRatePlan, loadRatePlan, markupOfVersion, parsePlanForm, previewResale, reviseRatePlan, setRatePlanArchived,
  termsOfVersion,
} from '../../services/rate-plans.ts';
import { currentAccount } from '../middleware/auth.ts';
import { ratePlanNumbersRouter } from './admin/rate-plan-numbers.ts';
import { formValues } from '../middleware/validate.ts';
import { flash, renderPage } from '../render.ts';
import type { AppContext } from '../context.ts';

const PER_PAGE = 50;
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional()).catch(undefined);

const listQuerySchema = z.object({
  q: optional(z.string().trim().max(80)),
  archived: optional(z.enum(['hide', 'include', 'only'])),
  page: optional(z.coerce.number().int().min(1).max(100_000)),
});

const idSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

function planIdOf(req: Request): number {
  const parsed = idSchema.safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError('There is no such rate plan');
  return parsed.data;
}

/** Labels and help of the plan form: the DID form's for the terms, so both read alike. */
const FIELD_INFO: Record<string, { label: string; help: string }> = {
  ...Object.fromEntries(DID_FIELDS.map((field) => [field.name, { label: field.label, help: field.help }])),
  name: { label: 'Name', help: 'How the plan is chosen in forms and CSV files, e.g. “US local”.' },
  description: { label: 'Description', help: 'What the plan is for; shown in the list.' },
  connection_markup_percent: { label: 'Connection Cost markup (%)', help: 'Percentage added to your buy connection cost (negative: a discount).' },
  connection_markup_amount: { label: 'Connection Cost markup (amount)', help: 'Amount added to it after the percentage.' },
  per_minute_markup_percent: { label: 'Cost per minute markup (%)', help: 'Percentage added to your buy cost per minute.' },
  per_minute_markup_amount: { label: 'Cost per minute markup (amount)', help: 'Amount added to it after the percentage.' },
  effective_at: { label: 'Starting at (UTC)', help: 'The new terms apply to calls answered from this moment.' },
};

const DEFAULT_TERMS: Record<string, string> = { connection_cost: '0', grace_seconds: '0', cost_per_minute: '0', initial_increment: '60', increment: '60' };
const DEFAULT_MARKUP: Record<string, string> = { connection_markup_percent: '0', connection_markup_amount: '0', per_minute_markup_percent: '20', per_minute_markup_amount: '0' };

function versionValues(version: RatePlanVersionRow | undefined): Record<string, string> {
  if (!version) return {};
  const values: Record<string, string> = {};
  for (const field of [...RATE_TERM_FIELDS, ...MARKUP_FIELDS]) {
    const value = version[field as keyof RatePlanVersionRow];
    if (value !== null && value !== undefined) values[field] = String(value);
  }
  return values;
}

/** How a version reads in a list: its terms, or its markup. */
function summarise(version: RatePlanVersionRow | undefined, money: (amount: string) => string): string {
  if (!version) return 'no terms in force yet';
  const terms = termsOfVersion(version);
  if (terms) {
    return `${money(terms.connection_cost)} connection, ${money(terms.cost_per_minute)}/min, ${terms.grace_seconds} s grace, ${terms.initial_increment}/${terms.increment} s`;
  }
  const markup = markupOfVersion(version)!;
  return `connection ${describeMarkup(markup.connection_markup_percent, markup.connection_markup_amount)}, per minute ${describeMarkup(markup.per_minute_markup_percent, markup.per_minute_markup_amount)}`;
}

function idsOf(body: Record<string, unknown>): number[] {
  const raw = body.ids;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((value) => Number(value)).filter((value) => Number.isSafeInteger(value) && value > 0);
}

export function ratePlansRouter(context: AppContext, role: 'admin' | 'reseller'): Router {
  const { db, config, now } = context;
  const router = Router();
  if (role === 'admin') router.use(ratePlanNumbersRouter(context));
  const base = `/${role}/rate-plans`;
  const previewOptions = { decimals: config.moneyDecimals, currency: config.currency };
  const ownerOf = (res: Response): PlanOwner => (role === 'admin' ? null : currentAccount(res).id);
  // Per-minute terms keep up to 6 decimals: shown whole, trailing zeros beyond the currency's dropped.
  const money = (amount: string): string => formatMoney(amount, { currency: config.currency, decimals: 6 }).replace(/0{1,2}$/, '');

  if (role === 'reseller') {
    // One number: its margin on the chosen plan first, then apply (or back to its own sell terms).
    router.get('/apply-one', async (req, res) => {
      const resellerId = currentAccount(res).id;
      const productId = idSchema.safeParse(req.query.product_id);
      const planId = idSchema.safeParse(req.query.plan);
      if (!productId.success) throw new NotFoundError('There is no such number');
      if (!planId.success) {
        flash(req, 'error', 'Choose one of your rate plans');
        return res.redirect(303, `/reseller/dids/${productId.data}`);
      }
      const detail = await loadRatePlan(db, resellerId, planId.data, now());
      const preview = await previewResale(db, resellerId, { planId: detail.plan.id }, [productId.data], { now: now(), decimals: config.moneyDecimals });
      if (preview.total === 0) throw new NotFoundError('There is no such number');
      await renderPage(res, 'rate-plans/apply-one', { title: `Apply ${detail.plan.name}`, base, detail, row: preview.rows[0], formatNumber: formatDidNumber });
    });

    router.post('/apply-one', async (req, res) => {
      const resellerId = currentAccount(res).id;
      const body = req.body as Record<string, unknown>;
      const productId = idSchema.safeParse(body.product_id);
      if (!productId.success) throw new NotFoundError('There is no such number');
      const plan = typeof body.plan === 'string' && body.plan !== '' ? idSchema.safeParse(body.plan) : undefined;
      if (plan && !plan.success) throw new NotFoundError('There is no such rate plan');
      const result = await applyResellerPlan(db, resellerId, plan ? plan.data! : null, [productId.data], { actorId: resellerId, now: now() });
      if (result.count === 0) throw new NotFoundError('There is no such number');
      flash(req, 'success', plan ? 'The number is now sold on the plan.' : 'The number is sold at its own sell terms again.');
      res.redirect(303, typeof body.back === 'string' && body.back.startsWith('/reseller/') ? body.back : base);
    });
  }

  router.get('/', async (req, res) => {
    const owner = ownerOf(res);
    const query = listQuerySchema.parse(req.query);
    const page = query.page ?? 1;
    const filters = { q: query.q, archived: query.archived };
    const [plans, total] = await Promise.all([
      listRatePlans(db, owner, filters, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE }),
      countRatePlans(db, owner, filters),
    ]);
    const versions = await versionsOfPlans(db, plans.map((plan) => plan.id));
    const at = now();
    const rows = plans.map((plan) => {
      const list = versions.get(plan.id) ?? [];
      const current = versionInForce(list, at);
      const scheduled = list.filter((version) => version.effective_from.getTime() > at.getTime()).length;
      return { ...plan, summary: summarise(current, money), scheduled };
    });
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    const href = (target: number) => {
      const params = new URLSearchParams();
      if (query.q) params.set('q', query.q);
      if (query.archived) params.set('archived', query.archived);
      params.set('page', String(target));
      return `${base}?${params.toString()}`;
    };
    await renderPage(res, 'rate-plans/index', {
      title: 'Rate plans', role, base, rows, total, page, pages, href,
      values: { q: query.q ?? '', archived: query.archived ?? 'hide' },
    });
  });

  async function renderForm(
    res: Response,
    options: {
      mode: 'new' | 'edit'; kind: PlanKind; values: Record<string, string>; errors?: Record<string, string>; planId?: number; planName?: string;
      numberCount?: number; margins?: Awaited<ReturnType<typeof previewResale>>;
    },
    status = 200,
  ) {
    await renderPage(res, 'rate-plans/form', {
      title: options.mode === 'new' ? 'New rate plan' : `Change ${options.planName ?? ''}`,
      role, base, mode: options.mode, kind: options.kind, planId: options.planId, planName: options.planName,
      numberCount: options.numberCount ?? 0,
      values: options.values,
      fieldErrors: options.errors ?? {},
      fields: FIELD_INFO,
      termFields: RATE_TERM_FIELDS,
      markupFields: MARKUP_FIELDS,
      preview: previewCosts(options.values, previewOptions),
      previewOptions,
      margins: options.margins,
      format: res.locals.format,
      formatNumber: formatDidNumber,
    }, status);
  }

  /**
   * A reseller's plan against its numbers, before it is saved: the numbers on it (a change) or all
   * it holds (a new plan). Undefined for the admin, whose plans have no buy terms under them.
   */
  async function marginsOf(res: Response, kind: PlanKind, values: Record<string, string>, planId?: number) {
    if (role !== 'reseller') return undefined;
    const form = parsePlanForm(values, { kind, now: now(), withName: false });
    if (!form.ok) return undefined;
    const version = {
      id: 0, rate_plan_id: planId ?? 0, effective_from: now(), created_by: null, created_at: now(),
      connection_cost: null, grace_seconds: null, cost_per_minute: null, initial_increment: null, increment: null,
      connection_markup_percent: null, connection_markup_amount: null, per_minute_markup_percent: null, per_minute_markup_amount: null,
      ...(form.data.terms ?? {}), ...(form.data.markup ?? {}),
    } as RatePlanVersionRow;
    const resellerId = currentAccount(res).id;
    let productIds: number[] | 'all' = 'all';
    if (planId !== undefined) productIds = await listResoldOnPlan(db, resellerId, planId);
    return previewResale(db, resellerId, { version }, productIds, { now: now(), decimals: config.moneyDecimals, limit: 100 });
  }

  function kindOfNew(req: Request): PlanKind {
    return role === 'reseller' && (req.query.kind === 'markup' || (req.body as Record<string, unknown> | undefined)?.kind === 'markup') ? 'markup' : 'absolute';
  }

  router.get('/new', async (req, res) => {
    const kind = kindOfNew(req);
    await renderForm(res, { mode: 'new', kind, values: { kind, ...(kind === 'markup' ? DEFAULT_MARKUP : DEFAULT_TERMS), effective: 'now' } });
  });

  /** A reseller saving a plan that sells below cost must see the margins and say so first. */
  async function belowCostCheck(req: Request, res: Response, kind: PlanKind, values: Record<string, string>, planId?: number) {
    let margins: Awaited<ReturnType<typeof marginsOf>>;
    try {
      margins = await marginsOf(res, kind, values, planId);
    } catch (error) {
      // A markup that takes a price beyond what can be stored is refused at its field.
      if (!(error instanceof ValidationError)) throw error;
      return { margins: undefined, stop: true, blocked: true, fieldErrors: error.fields };
    }
    const checking = values.intent === 'check';
    const blocked = margins !== undefined && margins.negative > 0 && values.accept_below_cost !== 'yes';
    return { margins, stop: checking || blocked, blocked: blocked && !checking, fieldErrors: undefined };
  }

  router.post('/', async (req, res) => {
    const owner = ownerOf(res);
    const kind = kindOfNew(req);
    const values = { ...formValues(req.body), kind };
    const check = await belowCostCheck(req, res, kind, values);
    if (check.stop) {
      const errors: Record<string, string> = check.fieldErrors ?? (check.blocked ? { accept_below_cost: `${check.margins!.negative} of your numbers would sell below cost: check the margins below, then tick the box to save anyway` } : {});
      return renderForm(res, { mode: 'new', kind, values, errors, margins: check.margins }, check.blocked ? 400 : 200);
    }
    const result = await createRatePlan(db, owner, values, { actorId: currentAccount(res).id, now: now() });
    if (!result.ok) return renderForm(res, { mode: 'new', kind, values, errors: result.errors, margins: check.margins }, 400);
    flash(req, 'success', `Rate plan ${result.plan.name} was created.`);
    res.redirect(303, `${base}/${result.plan.id}`);
  });

  router.get('/:id', async (req, res) => {
    const owner = ownerOf(res);
    const detail = await loadRatePlan(db, owner, planIdOf(req), now());
    const currentTerms = detail.current ? termsOfVersion(detail.current) : undefined;
    await renderPage(res, 'rate-plans/show', {
      title: detail.plan.name, role, base, detail,
      versions: detail.versions.map((version) => ({ ...version, summary: summarise(version, money) })),
      currentSummary: summarise(detail.current, money),
      currentTerms,
      fields: FIELD_INFO,
      preview: currentTerms ? previewCosts(currentTerms, previewOptions) : undefined,
      previewOptions,
    });
  });

  router.get('/:id/edit', async (req, res) => {
    const owner = ownerOf(res);
    const detail = await loadRatePlan(db, owner, planIdOf(req), now());
    const latest = detail.versions[0];
    const values = { name: detail.plan.name, description: detail.plan.description, ...versionValues(detail.current ?? latest), effective: 'now' };
    await renderForm(res, { mode: 'edit', kind: detail.plan.kind, values, planId: detail.plan.id, planName: detail.plan.name, numberCount: detail.numberCount });
  });

  router.post('/:id', async (req, res) => {
    const owner = ownerOf(res);
    const id = planIdOf(req);
    const detail = await loadRatePlan(db, owner, id, now());
    const values = formValues(req.body);
    const common = { mode: 'edit' as const, kind: detail.plan.kind, values, planId: id, planName: detail.plan.name, numberCount: detail.numberCount };
    const check = await belowCostCheck(req, res, detail.plan.kind, values, id);
    if (check.stop) {
      const errors: Record<string, string> = check.fieldErrors ?? (check.blocked ? { accept_below_cost: `${check.margins!.negative} of the numbers on this plan would sell below cost: check the margins below, then tick the box to save anyway` } : {});
      return renderForm(res, { ...common, errors, margins: check.margins }, check.blocked ? 400 : 200);
    }
    const result = await reviseRatePlan(db, owner, id, values, { actorId: currentAccount(res).id, now: now() });
    if (!result.ok) return renderForm(res, { ...common, errors: result.errors, margins: check.margins }, 400);
    const starts = result.version.effective_from.getTime() <= now().getTime() ? 'now' : `from ${res.locals.format.dateTime(result.version.effective_from)}`;
    flash(req, 'success', `${result.plan.name} is saved; its new terms apply ${starts} to every number on it.`);
    res.redirect(303, `${base}/${id}`);
  });

  router.post('/:id/archive', async (req, res) => {
    const plan = await setRatePlanArchived(db, ownerOf(res), planIdOf(req), true, { actorId: currentAccount(res).id, now: now() });
    flash(req, 'success', `${plan.name} is archived: it can no longer be chosen; numbers on it keep its terms.`);
    res.redirect(303, `${base}/${plan.id}`);
  });

  router.post('/:id/restore', async (req, res) => {
    const plan = await setRatePlanArchived(db, ownerOf(res), planIdOf(req), false, { actorId: currentAccount(res).id, now: now() });
    flash(req, 'success', `${plan.name} can be chosen again.`);
    res.redirect(303, `${base}/${plan.id}`);
  });

  if (role === 'reseller') {
    // Apply a plan to numbers the reseller holds: every number with its buy terms, the plan's sell
    // terms and the margin, negative ones highlighted, before anything is saved.
    router.get('/:id/apply', async (req, res) => {
      const resellerId = currentAccount(res).id;
      const detail = await loadRatePlan(db, resellerId, planIdOf(req), now());
      const preview = await previewResale(db, resellerId, { planId: detail.plan.id }, 'all', { now: now(), decimals: config.moneyDecimals, limit: 500 });
      await renderPage(res, 'rate-plans/apply', {
        title: `Apply ${detail.plan.name}`, base, detail, preview, formatNumber: formatDidNumber, values: {}, fieldErrors: {},
      });
    });

    router.post('/:id/apply', async (req, res) => {
      const resellerId = currentAccount(res).id;
      const id = planIdOf(req);
      const body = req.body as Record<string, unknown>;
      const selection = body.scope === 'all' ? 'all' as const : idsOf(body);
      try {
        const result = await applyResellerPlan(db, resellerId, id, selection, { actorId: resellerId, now: now() });
        flash(req, 'success', `${result.count} ${result.count === 1 ? 'number is' : 'numbers are'} now sold on this plan.`);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        flash(req, 'error', Object.values(error.fields)[0] ?? error.message);
        return res.redirect(303, `${base}/${id}/apply`);
      }
      res.redirect(303, `${base}/${id}`);
    });

  }

  return router;
}
