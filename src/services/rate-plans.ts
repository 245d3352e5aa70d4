// Rate plans: create, change (a new version from a chosen moment), archive, and the terms of a
// version. The operator's plans (owner null) price the admin's numbers; a reseller's plans price
// the numbers it resells. Each change is audited. Numbers are put on plans in plan-numbers.ts.
//
// Rating never reads a plan's terms from the numbers: call-terms.ts picks the version in force at
// the call's answer time. The per-minute columns of products and reseller_prices are refreshed
// here to the terms in force, for the pages that show a number's terms.
import { inSavepoint, inTransaction } from '../db/transaction.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import type { Db } from '../db/knex.ts';
import {
  countPlanNumbers, findRatePlan, insertRatePlan, insertRatePlanVersion, listRatePlanVersions, lockRatePlan, updateRatePlan, versionsOfPlans,
  type PlanOwner, type RatePlanRow, type RatePlanVersionRow, type VersionFields,
} from '../db/repos/rate-plans.ts';
import { refreshPlanTerms } from '../db/repos/plan-numbers.ts';
import { RATE_TERM_FIELDS } from '../domain/did-terms.ts';
import {
  MARKUP_FIELDS, applyPlanMarkup, versionInForce, type PlanKind, type PlanMarkup, type PlanTerms,
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

/** A listed plan with its version in force at `at` and how many versions wait to take effect. */
export interface PlanLine<P> {
  plan: P;
  inForce: RatePlanVersionRow | undefined;
  scheduled: number;
}

/** The list's plans with their versions' state (one read of the versions for all of them): the page and the CSV. */
export async function planLines<P extends { id: number }>(db: Db, plans: P[], at: Date): Promise<Array<PlanLine<P>>> {
  const versions = await versionsOfPlans(db, plans.map((plan) => plan.id));
  return plans.map((plan) => {
    const list = versions.get(plan.id) ?? [];
    return { plan, inForce: versionInForce(list, at), scheduled: list.filter((version) => version.effective_from.getTime() > at.getTime()).length };
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
