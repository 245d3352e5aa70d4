// Rate plans and their versions. A plan's owner is null for the operator's (admin) plans and the
// reseller's id for a reseller's own: every read here takes the owner, so a reseller's query can
// never reach another tenant's plan.
import type { Db } from '../knex.ts';
import type { PlanKind } from '../../domain/rate-plans.ts';

export interface RatePlanRow {
  id: number;
  owner_id: number | null;
  name: string;
  description: string;
  kind: PlanKind;
  created_by: number | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface RatePlanVersionRow {
  id: number;
  rate_plan_id: number;
  effective_from: Date;
  connection_cost: string | null;
  grace_seconds: number | null;
  cost_per_minute: string | null;
  initial_increment: number | null;
  increment: number | null;
  connection_markup_percent: string | null;
  connection_markup_amount: string | null;
  per_minute_markup_percent: string | null;
  per_minute_markup_amount: string | null;
  created_by: number | null;
  created_at: Date;
}

export interface RatePlanListRow extends RatePlanRow {
  number_count: number;
}

/** null: the operator's plans; a number: that reseller's. */
export type PlanOwner = number | null;

export interface PlanListFilters {
  q?: string | undefined;
  archived?: 'hide' | 'include' | 'only' | undefined;
}

function scoped(db: Db, owner: PlanOwner) {
  const query = db<RatePlanRow>('rate_plans');
  return owner === null ? query.whereNull('owner_id') : query.where('owner_id', owner);
}

function filtered(db: Db, owner: PlanOwner, filters: PlanListFilters) {
  const query = scoped(db, owner);
  const archived = filters.archived ?? 'hide';
  if (archived === 'hide') query.whereNull('archived_at');
  if (archived === 'only') query.whereNotNull('archived_at');
  if (filters.q) query.whereRaw("lower(name) LIKE '%' || lower(?) || '%'", [filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)]);
  return query;
}

/** Numbers on a plan: the admin's DIDs (not archived), or the numbers a reseller resells on it. */
function numberCountSql(owner: PlanOwner): string {
  return owner === null
    ? '(SELECT count(*) FROM products p WHERE p.rate_plan_id = rate_plans.id AND p.archived_at IS NULL)'
    : '(SELECT count(*) FROM reseller_prices rp WHERE rp.rate_plan_id = rate_plans.id AND rp.reseller_id = rate_plans.owner_id)';
}

export async function listRatePlans(db: Db, owner: PlanOwner, filters: PlanListFilters, page: { limit: number; offset: number }): Promise<RatePlanListRow[]> {
  const rows = (await filtered(db, owner, filters)
    .select('rate_plans.*', db.raw(`${numberCountSql(owner)} AS number_count`))
    .orderByRaw('lower(name), id')
    .limit(page.limit)
    .offset(page.offset)) as RatePlanListRow[];
  return rows.map((row) => ({ ...row, number_count: Number(row.number_count) }));
}

/** The owner's filtered plans in id order after `afterId`, with their number counts: how the CSV export streams. */
export async function listRatePlanBatch(db: Db, owner: PlanOwner, filters: PlanListFilters, afterId: number | undefined, limit: number): Promise<RatePlanListRow[]> {
  const query = filtered(db, owner, filters).select('rate_plans.*', db.raw(`${numberCountSql(owner)} AS number_count`)).orderByRaw('lower(name), id').limit(limit);
  // In the page's order (by name); the cursor is the last plan's id.
  if (afterId !== undefined) query.whereRaw('(lower(rate_plans.name), rate_plans.id) > (SELECT lower(x.name), x.id FROM rate_plans x WHERE x.id = ?)', [afterId]);
  const rows = (await query) as RatePlanListRow[];
  return rows.map((row) => ({ ...row, number_count: Number(row.number_count) }));
}

export async function countRatePlans(db: Db, owner: PlanOwner, filters: PlanListFilters): Promise<number> {
  const row = (await filtered(db, owner, filters).count({ count: '*' }).first()) as { count: string | number } | undefined;
  return Number(row?.count ?? 0);
}

/** Plans that can be chosen for numbers: not archived, by name. */
export async function listPlanChoices(db: Db, owner: PlanOwner): Promise<RatePlanRow[]> {
  return scoped(db, owner).whereNull('archived_at').orderByRaw('lower(name), id');
}

/** The names of an owner's plans, archived ones too (an export names the plan of every number). */
export async function planNamesOf(db: Db, owner: PlanOwner): Promise<Map<number, string>> {
  const rows = (await scoped(db, owner).select('id', 'name')) as Array<{ id: number; name: string }>;
  return new Map(rows.map((plan) => [plan.id, plan.name]));
}

export async function findRatePlan(db: Db, owner: PlanOwner, id: number): Promise<RatePlanRow | undefined> {
  return scoped(db, owner).where('id', id).first();
}

export async function lockRatePlan(db: Db, owner: PlanOwner, id: number): Promise<RatePlanRow | undefined> {
  return scoped(db, owner).where('id', id).forUpdate().first();
}

export async function countPlanNumbers(db: Db, plan: RatePlanRow): Promise<number> {
  const query = plan.owner_id === null
    ? db('products').where('rate_plan_id', plan.id).whereNull('archived_at')
    : db('reseller_prices').where({ rate_plan_id: plan.id, reseller_id: plan.owner_id });
  const row = (await query.count({ count: '*' }).first()) as { count: string | number } | undefined;
  return Number(row?.count ?? 0);
}

export async function insertRatePlan(
  db: Db,
  fields: { owner_id: PlanOwner; name: string; description: string; kind: PlanKind; created_by: number },
  now: Date,
): Promise<RatePlanRow> {
  const [row] = (await db('rate_plans').insert({ ...fields, created_at: now, updated_at: now }).returning('*')) as RatePlanRow[];
  return row!;
}

export async function updateRatePlan(db: Db, id: number, fields: Partial<Pick<RatePlanRow, 'name' | 'description' | 'archived_at'>>, now: Date): Promise<RatePlanRow> {
  const [row] = (await db('rate_plans').where('id', id).update({ ...fields, updated_at: now }).returning('*')) as RatePlanRow[];
  return row!;
}

export type VersionFields = Omit<RatePlanVersionRow, 'id' | 'created_at'>;

export async function insertRatePlanVersion(db: Db, fields: VersionFields, now: Date): Promise<RatePlanVersionRow> {
  const [row] = (await db('rate_plan_versions').insert({ ...fields, created_at: now }).returning('*')) as RatePlanVersionRow[];
  return row!;
}

export async function listRatePlanVersions(db: Db, planId: number): Promise<RatePlanVersionRow[]> {
  return db<RatePlanVersionRow>('rate_plan_versions').where('rate_plan_id', planId).orderBy('effective_from', 'desc');
}

/** Every version of the given plans, grouped by plan: what rating needs to pick the one in force. */
export async function versionsOfPlans(db: Db, planIds: number[]): Promise<Map<number, RatePlanVersionRow[]>> {
  const byPlan = new Map<number, RatePlanVersionRow[]>();
  const ids = [...new Set(planIds)];
  if (ids.length === 0) return byPlan;
  const rows = (await db('rate_plan_versions').whereIn('rate_plan_id', ids).orderBy(['rate_plan_id', 'effective_from'])) as RatePlanVersionRow[];
  for (const row of rows) {
    const list = byPlan.get(row.rate_plan_id) ?? [];
    list.push(row);
    byPlan.set(row.rate_plan_id, list);
  }
  return byPlan;
}
