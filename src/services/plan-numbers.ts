// Numbers on rate plans: the admin puts its numbers on a plan (selected, or by the DID list's
// filters); a reseller previews and applies its plans to the numbers it holds. Each change is
// audited, and the per-minute columns of the numbers are refreshed to the terms in force.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { findRatePlan, listRatePlanVersions, type RatePlanRow, type RatePlanVersionRow } from '../db/repos/rate-plans.ts';
import {
  countSelection, insertMissingResellerPrices, listHeldForResale, refreshPlanTerms, setPlanOfSelection, setResellerPricesPlan,
  type HeldRow, type NumberSelection,
} from '../db/repos/plan-numbers.ts';
import { planMargin, versionInForce, type PlanMargin, type PlanTerms } from '../domain/rate-plans.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { sellTermsOf, type PlanChange } from './rate-plans.ts';

export type { NumberSelection } from '../db/repos/plan-numbers.ts';

/**
 * Puts the admin's numbers on a plan (or back on their own terms, plan null): the numbers
 * selected, or every number the DID list's filters match. One statement, one audit row.
 */
export async function assignPlanToDids(db: Db, planId: number | null, selection: NumberSelection, change: PlanChange): Promise<{ count: number; plan: RatePlanRow | undefined }> {
  return inTransaction(db, async (trx) => {
    let plan: RatePlanRow | undefined;
    if (planId !== null) {
      plan = await findRatePlan(trx, null, planId);
      if (!plan) throw new ValidationError('Choose a rate plan', { plan: 'Choose a rate plan from the list' });
      if (plan.archived_at) throw new ValidationError('That plan is archived', { plan: `${plan.name} is archived: restore it first` });
    }
    if ('ids' in selection && selection.ids.length === 0) throw new ValidationError('Select numbers', { ids: 'Select at least one number' });
    const count = await setPlanOfSelection(trx, planId, selection, change.now);
    await insertAuditEntry(trx, {
      actorId: change.actorId, action: 'rate_plan.assign', entityType: 'rate_plan', entityId: planId,
      after: { rate_plan_id: planId, count, ...('ids' in selection ? { ids: selection.ids.slice(0, 1000) } : { filters: selection.filters }) },
      at: change.now,
    });
    await refreshPlanTerms(trx, change.now);
    return { count, plan };
  });
}

/** The admin's numbers a selection matches: for the confirmation before a bulk assignment. */
export async function countSelectedDids(db: Db, selection: NumberSelection): Promise<number> {
  return countSelection(db, selection);
}

// ---- A reseller's numbers on its plans ---------------------------------------------------------

export interface ResaleRow {
  product_id: number;
  number: string;
  customer_id: number | null;
  rate_plan_id: number | null;
  buy: PlanTerms;
  sell: PlanTerms;
  margin: PlanMargin;
}

function buyTermsOf(row: HeldRow): PlanTerms {
  return {
    connection_cost: row.connection_cost, grace_seconds: row.grace_seconds, cost_per_minute: row.cost_per_minute,
    initial_increment: row.initial_increment, increment: row.increment,
  };
}

/**
 * What a reseller's plan would sell the numbers at, against their buy terms, before it is
 * applied: the version in force now (or, for a plan that starts later, its first version). The
 * `version` argument previews terms not saved yet (the plan form's "check margins").
 */
export async function previewResale(
  db: Db,
  resellerId: number,
  source: { planId: number } | { version: RatePlanVersionRow },
  productIds: number[] | 'all',
  options: { now: Date; decimals: number; limit?: number },
): Promise<{ rows: ResaleRow[]; total: number; negative: number }> {
  let version: RatePlanVersionRow | undefined;
  if ('planId' in source) {
    const plan = await findRatePlan(db, resellerId, source.planId);
    if (!plan) throw new NotFoundError('There is no such rate plan');
    const versions = await listRatePlanVersions(db, plan.id);
    version = versionInForce(versions, options.now) ?? versions[versions.length - 1];
  } else {
    version = source.version;
  }
  if (!version) throw new NotFoundError('The plan has no terms');
  const held = await listHeldForResale(db, resellerId, productIds);
  let negative = 0;
  const rows = held.map((row) => {
    const buy = buyTermsOf(row);
    const sell = sellTermsOf(version, buy);
    const margin = planMargin(buy, sell, options.decimals);
    if (margin.negative) negative += 1;
    return { product_id: row.id, number: row.number, customer_id: row.customer_id, rate_plan_id: row.rp_rate_plan_id, buy, sell, margin };
  });
  return { rows: rows.slice(0, options.limit ?? rows.length), total: rows.length, negative };
}

/**
 * Puts numbers a reseller holds on one of its plans (plan null: back to the sell terms of the
 * number itself). Numbers it does not hold are left out, whatever ids are posted.
 */
export async function applyResellerPlan(
  db: Db,
  resellerId: number,
  planId: number | null,
  productIds: number[] | 'all',
  change: PlanChange,
): Promise<{ count: number }> {
  return inTransaction(db, async (trx) => {
    if (planId !== null) {
      const plan = await findRatePlan(trx, resellerId, planId);
      if (!plan) throw new NotFoundError('There is no such rate plan');
      if (plan.archived_at) throw new ValidationError('That plan is archived', { plan: `${plan.name} is archived: restore it first` });
    }
    const held = await listHeldForResale(trx, resellerId, productIds);
    if (held.length === 0) throw new ValidationError('Select numbers', { ids: 'Select at least one of your numbers' });
    // A number bought before its seller had sell terms gets a row at its buy terms first.
    const missing = held.map((row) => ({
      product_id: row.id, reseller_id: resellerId, setup_fee: row.setup_fee, monthly_fee: row.monthly_fee, ...buyTermsOf(row),
      created_at: change.now, updated_at: change.now,
    }));
    await insertMissingResellerPrices(trx, missing);
    const ids = held.map((row) => row.id);
    await setResellerPricesPlan(trx, resellerId, ids, planId, change.now);
    await insertAuditEntry(trx, {
      actorId: change.actorId, action: 'rate_plan.apply', entityType: 'rate_plan', entityId: planId,
      after: { reseller_id: resellerId, rate_plan_id: planId, count: ids.length, ids: ids.slice(0, 1000) }, at: change.now,
    });
    await refreshPlanTerms(trx, change.now);
    return { count: ids.length };
  });
}
