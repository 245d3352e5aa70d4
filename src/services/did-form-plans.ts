// The Rate plan field of the admin's Create / Edit DID form: the plans to choose from, each with
// its terms in force now, and the chosen one's terms, which replace the typed ones.
import type { Db } from '../db/knex.ts';
import { findRatePlan, listPlanChoices, listRatePlanVersions, versionsOfPlans } from '../db/repos/rate-plans.ts';
import { versionInForce, type PlanTerms } from '../domain/rate-plans.ts';
import { termsOfVersion } from './rate-plans.ts';

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
