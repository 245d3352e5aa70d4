import type { Db } from '../knex.ts';
import type { PriceTerms } from '../../domain/sell-terms.ts';

export interface ResellerPriceRow extends PriceTerms {
  product_id: number;
  reseller_id: number;
  created_at: Date;
  updated_at: Date;
}

const TERM_COLUMNS = ['setup_fee', 'monthly_fee', 'connection_cost', 'grace_seconds', 'cost_per_minute', 'initial_increment', 'increment'] as const;

export function pickTerms(row: PriceTerms): PriceTerms {
  return Object.fromEntries(TERM_COLUMNS.map((column) => [column, row[column]])) as unknown as PriceTerms;
}

export async function findResellerPrice(db: Db, resellerId: number, productId: number): Promise<ResellerPriceRow | undefined> {
  return db<ResellerPriceRow>('reseller_prices').where({ reseller_id: resellerId, product_id: productId }).first();
}

/**
 * Writes the reseller's own sell terms for a number, replacing any it had. Own terms take the
 * number off a rate plan: rating reads a plan's terms, so they would otherwise be ignored.
 */
export async function upsertResellerPrice(db: Db, resellerId: number, productId: number, terms: PriceTerms, now: Date): Promise<void> {
  await db('reseller_prices')
    .insert({ product_id: productId, reseller_id: resellerId, ...pickTerms(terms), rate_plan_id: null, created_at: now, updated_at: now })
    .onConflict(['product_id', 'reseller_id'])
    .merge([...TERM_COLUMNS, 'rate_plan_id', 'updated_at']);
}

export async function deleteResellerPrices(db: Db, productId: number, resellerId?: number): Promise<void> {
  const query = db('reseller_prices').where({ product_id: productId });
  if (resellerId !== undefined) query.where({ reseller_id: resellerId });
  await query.delete();
}
