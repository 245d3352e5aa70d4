// The rate plan form (new or a change), shown first and again with its errors, and for a reseller
// the margins of its numbers under the plan as typed, before it is saved.
import type { Response } from 'express';
import { previewCosts } from '../../../domain/cost-preview.ts';
import { RATE_TERM_FIELDS } from '../../../domain/did-terms.ts';
import { MARKUP_FIELDS, type PlanKind } from '../../../domain/rate-plans.ts';
import { listResoldOnPlan } from '../../../db/repos/plan-numbers.ts';
import type { RatePlanVersionRow } from '../../../db/repos/rate-plans.ts';
import { previewResale } from '../../../services/plan-numbers.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { parsePlanForm } from './schema.ts';
import { ValidationError } from '../../../errors.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { FIELD_INFO } from './presenter.ts';

export interface PlanFormOptions {
  mode: 'new' | 'edit';
  kind: PlanKind;
  values: Record<string, string>;
  errors?: Record<string, string> | undefined;
  planId?: number | undefined;
  planName?: string | undefined;
  numberCount?: number | undefined;
  margins?: Awaited<ReturnType<typeof previewResale>> | undefined;
}

export function planFormPage({ db, config, now }: AppContext) {
  const previewOptions = { decimals: config.moneyDecimals, currency: config.currency };

  async function renderForm(res: Response, options: PlanFormOptions, status = 200) {
    const role = areaRole(res);
    await renderPage(res, 'rate-plans/form', {
      title: options.mode === 'new' ? 'New rate plan' : `Change ${options.planName ?? ''}`,
      role, base: `/${role}/rate-plans`, mode: options.mode, kind: options.kind, planId: options.planId, planName: options.planName,
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
    }, status);
  }

  /**
   * A reseller's plan against its numbers, before it is saved: the numbers on it (a change) or all
   * it holds (a new plan). Undefined for the admin, whose plans have no buy terms under them.
   */
  async function marginsOf(res: Response, kind: PlanKind, values: Record<string, string>, planId?: number) {
    if (areaRole(res) !== 'reseller') return undefined;
    const form = parsePlanForm(values, { kind, now: now(), withName: false });
    if (!form.ok) return undefined;
    const version = {
      id: 0, rate_plan_id: planId ?? 0, effective_from: now(), created_by: null, created_at: now(),
      connection_cost: null, grace_seconds: null, cost_per_minute: null, initial_increment: null, increment: null,
      connection_markup_percent: null, connection_markup_amount: null, per_minute_markup_percent: null, per_minute_markup_amount: null,
      ...(form.data.terms ?? {}), ...(form.data.markup ?? {}),
    } as RatePlanVersionRow;
    const resellerId = currentAccount(res).id;
    const productIds = planId === undefined ? 'all' : await listResoldOnPlan(db, resellerId, planId);
    return previewResale(db, resellerId, { version }, productIds, { now: now(), decimals: config.moneyDecimals, limit: 100 });
  }

  /** A reseller saving a plan that sells below cost must see the margins and say so first. */
  async function belowCostCheck(res: Response, kind: PlanKind, values: Record<string, string>, planId?: number) {
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

  return { renderForm, belowCostCheck, previewOptions };
}
