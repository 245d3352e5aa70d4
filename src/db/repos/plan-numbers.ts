// Numbers on rate plans: which plan prices each of the admin's numbers and each reseller's resale,
// and the per-minute columns kept equal to the terms in force (for the pages that show them).
import { applyDidFilters, type DidFilters } from './dids.ts';
import type { Db } from '../knex.ts';
import type { PriceTerms } from '../../domain/sell-terms.ts';
import type { Transaction } from '../transaction.ts';

/** The admin's numbers picked one by one, or every number the DID list's filters match. */
export type NumberSelection = { ids: number[] } | { filters: DidFilters };

function selected(db: Db, selection: NumberSelection) {
  const query = db('products as p');
  if ('ids' in selection) query.whereIn('p.id', selection.ids).where('p.category', 'did');
  else applyDidFilters(query, selection.filters);
  return query;
}

/** Puts the selected numbers on a plan (null: their own terms); returns how many. One statement however many numbers. */
export async function setPlanOfSelection(trx: Transaction, planId: number | null, selection: NumberSelection, now: Date): Promise<number> {
  return Number(await trx('products').whereIn('id', selected(trx, selection).select('p.id')).update({ rate_plan_id: planId, updated_at: now }));
}

export async function countSelection(db: Db, selection: NumberSelection): Promise<number> {
  const row = (await selected(db, selection).count({ count: '*' }).first()) as { count: string | number } | undefined;
  return Number(row?.count ?? 0);
}

/** A number a reseller holds, with its buy terms and the reseller's plan on it. */
export interface HeldRow extends PriceTerms {
  id: number;
  number: string;
  customer_id: number | null;
  rp_rate_plan_id: number | null;
}

export async function listHeldForResale(db: Db, resellerId: number, productIds: number[] | 'all'): Promise<HeldRow[]> {
  const query = db('products as p')
    .leftJoin('reseller_prices as rp', (join) => {
      join.on('rp.product_id', 'p.id').andOn('rp.reseller_id', db.raw('?', [resellerId]));
    })
    .where('p.reseller_id', resellerId)
    .whereNull('p.archived_at')
    .select('p.id', 'p.number', 'p.customer_id', 'p.connection_cost', 'p.grace_seconds', 'p.cost_per_minute', 'p.initial_increment', 'p.increment',
      'p.setup_fee', 'p.monthly_fee', 'rp.rate_plan_id as rp_rate_plan_id')
    .orderBy('p.number');
  if (productIds !== 'all') query.whereIn('p.id', productIds);
  return (await query) as HeldRow[];
}

/** The numbers a reseller has put on one of its plans. */
export async function listResoldOnPlan(db: Db, resellerId: number, planId: number): Promise<number[]> {
  const rows = (await db('reseller_prices').where({ reseller_id: resellerId, rate_plan_id: planId }).select('product_id')) as Array<{ product_id: number }>;
  return rows.map((row) => row.product_id);
}

/** Sell-terms rows for numbers that have none yet; existing rows are left as they are. */
export async function insertMissingResellerPrices(trx: Transaction, rows: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await trx('reseller_prices').insert(rows.slice(i, i + 500)).onConflict(['product_id', 'reseller_id']).ignore();
  }
}

export async function setResellerPricesPlan(trx: Transaction, resellerId: number, productIds: number[], planId: number | null, now: Date): Promise<void> {
  for (let i = 0; i < productIds.length; i += 5000) {
    await trx('reseller_prices').where('reseller_id', resellerId).whereIn('product_id', productIds.slice(i, i + 5000))
      .update({ rate_plan_id: planId, updated_at: now });
  }
}

// Versions in force at an instant, one per plan (DISTINCT ON works alike on PostgreSQL 15 and 18).
const IN_FORCE_SQL = `
  SELECT DISTINCT ON (rate_plan_id) *
    FROM rate_plan_versions
   WHERE effective_from <= ?
   ORDER BY rate_plan_id, effective_from DESC`;

/**
 * Copies the terms in force at `now` into the per-minute columns of the numbers on plans (the
 * admin's products, then the resellers' prices, absolute or marked up over the refreshed buy
 * terms). Idempotent and set-based; rounding in SQL is round(numeric, 6), HALF_UP like ours.
 */
export async function refreshPlanTerms(db: Db, now: Date): Promise<void> {
  // The admin's products first: the marked-up reseller prices below read the refreshed buy terms.
  for (const table of ['products', 'reseller_prices'] as const) {
    await db.raw(
      `UPDATE ${table} t
          SET connection_cost = v.connection_cost, grace_seconds = v.grace_seconds, cost_per_minute = v.cost_per_minute,
              initial_increment = v.initial_increment, increment = v.increment, updated_at = ?
         FROM (${IN_FORCE_SQL}) v
        WHERE t.rate_plan_id = v.rate_plan_id AND v.connection_cost IS NOT NULL
          AND (t.connection_cost, t.grace_seconds, t.cost_per_minute, t.initial_increment, t.increment)
              IS DISTINCT FROM (v.connection_cost, v.grace_seconds, v.cost_per_minute, v.initial_increment, v.increment)`,
      [now, now],
    );
  }
  await db.raw(
    `UPDATE reseller_prices rp
        SET connection_cost = n.connection_cost, cost_per_minute = n.cost_per_minute, grace_seconds = n.grace_seconds,
            initial_increment = n.initial_increment, increment = n.increment, updated_at = ?
       FROM (SELECT m.product_id, m.reseller_id,
                    greatest(0, round(p.connection_cost * (100 + v.connection_markup_percent) / 100 + v.connection_markup_amount, 6)) AS connection_cost,
                    greatest(0, round(p.cost_per_minute * (100 + v.per_minute_markup_percent) / 100 + v.per_minute_markup_amount, 6)) AS cost_per_minute,
                    p.grace_seconds, p.initial_increment, p.increment
               FROM reseller_prices m
               JOIN (${IN_FORCE_SQL}) v ON v.rate_plan_id = m.rate_plan_id AND v.connection_markup_percent IS NOT NULL
               JOIN products p ON p.id = m.product_id) n
      WHERE rp.product_id = n.product_id AND rp.reseller_id = n.reseller_id
        AND (rp.connection_cost, rp.grace_seconds, rp.cost_per_minute, rp.initial_increment, rp.increment)
            IS DISTINCT FROM (n.connection_cost, n.grace_seconds, n.cost_per_minute, n.initial_increment, n.increment)`,
    [now, now],
  );
}

