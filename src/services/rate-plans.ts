// Rate plans: create, change (a new version from a chosen moment), archive; put numbers on a plan,
// one by one, selected or by the DID list's filters. The operator's plans (owner null) price the
// admin's numbers; a reseller's plans price the numbers it resells. Each change is audited.
//
// Rating never reads a plan's terms from the numbers: call-terms.ts picks the version in force at
// the call's answer time. The per-minute columns of products and reseller_prices are refreshed
// here to the terms in force, for the pages that show a number's terms.
import { inSavepoint, inTransaction } from '../db/transaction.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import type { Db } from '../db/knex.ts';
import {
  countPlanNumbers, findRatePlan, insertRatePlan, insertRatePlanVersion, listPlanChoices, listRatePlanVersions, lockRatePlan, updateRatePlan,
  versionsOfPlans,
  type PlanOwner, type RatePlanRow, type RatePlanVersionRow, type VersionFields,
} from '../db/repos/rate-plans.ts';
import {
  countSelection, insertMissingResellerPrices, listHeldForResale, refreshPlanTerms, setPlanOfSelection, setResellerPricesPlan,
  type HeldRow, type NumberSelection,
} from '../db/repos/plan-numbers.ts';
import { RATE_TERM_FIELDS } from '../domain/did-terms.ts';
import {
  MARKUP_FIELDS, applyPlanMarkup, planMargin, versionInForce, type PlanKind, type PlanMargin, type PlanMarkup, type PlanTerms,
} from '../domain/rate-plans.ts';
import { NotFoundError, ValidationError, isUniqueViolation } from '../errors.ts';

export type PlanFieldErrors = Record<string, string>;

export interface PlanChange {
  actorId: number;
  now: Date;
}

export interface PlanFormData {
  name: string;
  description: string;
  kind: PlanKind;
  terms?: PlanTerms;
  markup?: PlanMarkup;
  effectiveFrom: Date;
}

function versionFields(planId: number, data: PlanFormData, actorId: number): VersionFields {
  const none = { connection_cost: null, grace_seconds: null, cost_per_minute: null, initial_increment: null, increment: null };
  const noMarkup = { connection_markup_percent: null, connection_markup_amount: null, per_minute_markup_percent: null, per_minute_markup_amount: null };
  return {
    rate_plan_id: planId,
    effective_from: data.effectiveFrom,
    ...(data.terms ? { ...data.terms, ...noMarkup } : { ...none, ...data.markup! }),
    created_by: actorId,
  };
}

export function versionSnapshot(version: RatePlanVersionRow): Record<string, unknown> {
  const snapshot: Record<string, unknown> = { version_id: version.id, effective_from: version.effective_from.toISOString() };
  for (const field of [...RATE_TERM_FIELDS, ...MARKUP_FIELDS]) {
    const value = version[field as keyof RatePlanVersionRow];
    if (value !== null) snapshot[field] = value;
  }
  return snapshot;
}

export interface SavedPlan {
  plan: RatePlanRow;
  version: RatePlanVersionRow;
}

const NAME_TAKEN = 'You have a plan of that name already';

function invalidPlan(errors: PlanFieldErrors): ValidationError {
  return new ValidationError(Object.values(errors)[0] ?? 'Check the form', errors);
}

/** A taken name is the form's error at its field; anything else goes on. */
function nameTaken(error: unknown): unknown {
  return isUniqueViolation(error, 'rate_plans_owner_name_unique') ? invalidPlan({ name: NAME_TAKEN }) : error;
}

/** A new plan from its parsed form (web/routes/rate-plans/schema.ts); only a reseller's plan can be a markup. */
export async function createRatePlan(db: Db, owner: PlanOwner, data: PlanFormData, change: PlanChange): Promise<SavedPlan> {
  if (owner === null && data.kind === 'markup') throw invalidPlan({ kind: 'The operator’s plans have absolute terms' });
  const kind = data.kind;
  try {
    return await inTransaction(db, async (trx) => {
      const plan = await insertRatePlan(trx, { owner_id: owner, name: data.name, description: data.description, kind, created_by: change.actorId }, change.now);
      const version = await insertRatePlanVersion(trx, versionFields(plan.id, data, change.actorId), change.now);
      await insertAuditEntry(trx, {
        actorId: change.actorId, action: 'rate_plan.create', entityType: 'rate_plan', entityId: plan.id,
        after: { name: plan.name, description: plan.description, kind, ...versionSnapshot(version) }, at: change.now,
      });
      return { plan, version };
    });
  } catch (error) {
    throw nameTaken(error);
  }
}

/**
 * A change of a plan: its name and description at once, its terms as a new version from the
 * chosen moment, for every number on it. Versions are never edited, so calls already rated
 * keep the terms they were rated with.
 */
export async function reviseRatePlan(db: Db, owner: PlanOwner, id: number, data: PlanFormData, change: PlanChange): Promise<SavedPlan> {
  try {
    return await inTransaction(db, async (trx) => {
      const before = await lockRatePlan(trx, owner, id);
      if (!before) throw new NotFoundError('There is no such rate plan');
      // A plan's kind is fixed at its creation: the form was parsed for it.
      if (data.kind !== before.kind) throw invalidPlan({ kind: 'A plan keeps the kind it was created with' });
      const plan = await updateRatePlan(trx, id, { name: data.name, description: data.description }, change.now);
      let version: RatePlanVersionRow;
      try {
        version = await inSavepoint(trx, (inner) => insertRatePlanVersion(inner, versionFields(id, data, change.actorId), change.now));
      } catch (error) {
        if (isUniqueViolation(error)) throw invalidPlan({ effective_at: 'The plan already has a version starting at that moment' });
        throw error;
      }
      await insertAuditEntry(trx, {
        actorId: change.actorId, action: 'rate_plan.version', entityType: 'rate_plan', entityId: id,
        before: { name: before.name, description: before.description },
        after: { name: plan.name, description: plan.description, ...versionSnapshot(version) }, at: change.now,
      });
      await refreshPlanTerms(trx, change.now);
      return { plan, version };
    });
  } catch (error) {
    throw nameTaken(error);
  }
}

export async function setRatePlanArchived(db: Db, owner: PlanOwner, id: number, archived: boolean, change: PlanChange): Promise<RatePlanRow> {
  return inTransaction(db, async (trx) => {
    const before = await lockRatePlan(trx, owner, id);
    if (!before) throw new NotFoundError('There is no such rate plan');
    const plan = await updateRatePlan(trx, id, { archived_at: archived ? change.now : null }, change.now);
    await insertAuditEntry(trx, {
      actorId: change.actorId, action: archived ? 'rate_plan.archive' : 'rate_plan.restore', entityType: 'rate_plan', entityId: id,
      before: { archived_at: before.archived_at?.toISOString() ?? null }, after: { archived_at: plan.archived_at?.toISOString() ?? null }, at: change.now,
    });
    return plan;
  });
}

export interface RatePlanDetail {
  plan: RatePlanRow;
  versions: Array<RatePlanVersionRow & { state: 'current' | 'scheduled' | 'past' }>;
  current: RatePlanVersionRow | undefined;
  numberCount: number;
}

export async function loadRatePlan(db: Db, owner: PlanOwner, id: number, now: Date): Promise<RatePlanDetail> {
  const plan = await findRatePlan(db, owner, id);
  if (!plan) throw new NotFoundError('There is no such rate plan');
  const [versions, numberCount] = await Promise.all([listRatePlanVersions(db, id), countPlanNumbers(db, plan)]);
  const current = versionInForce(versions, now);
  return {
    plan,
    current,
    numberCount,
    versions: versions.map((version) => ({
      ...version,
      state: version === current ? 'current' : version.effective_from.getTime() > now.getTime() ? 'scheduled' : 'past',
    })),
  };
}

/** Absolute terms of a version; undefined for a markup version. */
export function termsOfVersion(version: RatePlanVersionRow): PlanTerms | undefined {
  if (version.connection_cost === null || version.cost_per_minute === null) return undefined;
  return {
    connection_cost: version.connection_cost,
    grace_seconds: version.grace_seconds ?? 0,
    cost_per_minute: version.cost_per_minute,
    initial_increment: version.initial_increment ?? 0,
    increment: version.increment ?? 0,
  };
}

export function markupOfVersion(version: RatePlanVersionRow): PlanMarkup | undefined {
  if (version.connection_markup_percent === null) return undefined;
  return {
    connection_markup_percent: version.connection_markup_percent,
    connection_markup_amount: version.connection_markup_amount ?? '0',
    per_minute_markup_percent: version.per_minute_markup_percent ?? '0',
    per_minute_markup_amount: version.per_minute_markup_amount ?? '0',
  };
}

/** Sell terms of a version over the buy terms: the version's own, or the markup applied to them. */
export function sellTermsOf(version: RatePlanVersionRow, buy: PlanTerms): PlanTerms {
  const terms = termsOfVersion(version);
  if (terms) return terms;
  return applyPlanMarkup(buy, markupOfVersion(version)!);
}

// ---- Numbers on plans ------------------------------------------------------------------------

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

/**
 * The Rate plan field of the Create / Edit DID form: '' is custom terms; a plan id gives the
 * plan's terms in force now, which replace whatever terms were typed.
 */
export async function resolveDidFormPlan(
  db: Db,
  value: string | undefined,
  now: Date,
  /** The number's plan now: it stays a valid choice even once archived. */
  currentPlanId?: number | null,
): Promise<{ ok: true; planId: number | null; terms?: PlanTerms } | { ok: false; error: string }> {
  const text = (value ?? '').trim();
  if (text === '' || text === 'custom') return { ok: true, planId: null };
  const id = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  const plan = Number.isSafeInteger(id) ? await findRatePlan(db, null, id) : undefined;
  if (!plan) return { ok: false, error: 'Choose a rate plan from the list, or custom terms' };
  if (plan.archived_at && plan.id !== currentPlanId) return { ok: false, error: `${plan.name} is archived: choose another plan or custom terms` };
  const versions = await listRatePlanVersions(db, plan.id);
  const version = versionInForce(versions, now) ?? versions[versions.length - 1];
  const terms = version ? termsOfVersion(version) : undefined;
  if (!terms) return { ok: false, error: `${plan.name} has no terms yet` };
  return { ok: true, planId: plan.id, terms };
}

/** The admin's plans with the terms in force now: the DID form's choices, shown read-only. */
export async function listDidFormPlans(db: Db, now: Date, currentPlanId?: number | null): Promise<Array<{ id: number; name: string; terms: PlanTerms | undefined }>> {
  const plans = await listPlanChoices(db, null);
  if (currentPlanId && !plans.some((plan) => plan.id === currentPlanId)) {
    const current = await findRatePlan(db, null, currentPlanId);
    if (current) plans.push({ ...current, name: `${current.name} (archived)` });
  }
  const versions = await versionsOfPlans(db, plans.map((plan) => plan.id));
  return plans.map((plan) => {
    const list = versions.get(plan.id) ?? [];
    const version = versionInForce(list, now) ?? list[0];
    return { id: plan.id, name: plan.name, terms: version ? termsOfVersion(version) : undefined };
  });
}
