// Rate plans made by tests as the plan form makes them: the typed fields parsed for the plan's kind.
import type { Db } from '../../src/db/knex.ts';
import { findRatePlan, type PlanOwner } from '../../src/db/repos/rate-plans.ts';
import { createRatePlan, reviseRatePlan, type PlanChange, type PlanFormData, type SavedPlan } from '../../src/services/rate-plans.ts';
import { parsePlanForm } from '../../src/web/routes/rate-plans/schema.ts';

function parsed(input: Record<string, unknown>, kind: PlanFormData['kind'], now: Date): PlanFormData {
  const form = parsePlanForm(input, { kind, now, withName: true });
  if (!form.ok) throw new Error(`plan form refused: ${JSON.stringify(form.errors)}`);
  return form.data;
}

export function createPlan(db: Db, owner: PlanOwner, input: Record<string, unknown>, change: PlanChange): Promise<SavedPlan> {
  const kind = owner !== null && input.kind === 'markup' ? 'markup' : 'absolute';
  return createRatePlan(db, owner, parsed(input, kind, change.now), change);
}

export async function revisePlan(db: Db, owner: PlanOwner, id: number, input: Record<string, unknown>, change: PlanChange): Promise<SavedPlan> {
  const plan = await findRatePlan(db, owner, id);
  if (!plan) throw new Error(`no rate plan ${id}`);
  return reviseRatePlan(db, owner, id, parsed(input, plan.kind, change.now), change);
}
