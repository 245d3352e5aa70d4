// The admin's view of the DID inventory: products of category 'did' with their provider and
// holder. Every filter here has an index (migration add_inventory_indexes_and_imports).
import type { Knex } from 'knex';
import type { Db } from '../knex.ts';
import { sellerNameColumn } from './company-profiles.ts';
import type { BillingType, DidStatus, DidTerms } from '../../domain/did-terms.ts';

/** The columns an audit row shows of a DID: its terms and who holds it. */
export const AUDITED_COLUMNS = [
  'number', 'provider_id', 'country', 'province', 'city', 'status', 'buy_cost', 'connection_cost', 'grace_seconds', 'cost_per_minute',
  'initial_increment', 'increment', 'setup_fee', 'monthly_fee', 'call_timeout', 'billing_type', 'billing_days', 'concurrent_calls',
  'billing_period', 'reseller_id', 'customer_id', 'archived_at',
] as const;

/** Same expression as the index products_holder_number_idx, so the planner can use it. */
export const HOLDER_SQL = "(CASE WHEN customer_id IS NOT NULL THEN 'customer' WHEN reseller_id IS NOT NULL THEN 'reseller' ELSE 'stock' END)";

export type Holder = 'stock' | 'reseller' | 'customer';
export type DidSort = 'number' | 'country' | 'monthly_fee' | 'created';

export interface DidFilters {
  /** Digits (and +) the number contains. */
  q?: string | undefined;
  country?: string | undefined;
  province?: string | undefined;
  city?: string | undefined;
  providerId?: number | undefined;
  status?: DidStatus | undefined;
  holder?: Holder | undefined;
  billingType?: BillingType | undefined;
  /** Archived numbers are hidden unless asked for. */
  archived?: 'hide' | 'include' | 'only' | undefined;
}

export interface DidRow extends DidTerms {
  id: number;
  category: 'did';
  provider_id: number | null;
  reseller_id: number | null;
  customer_id: number | null;
  destination_type: 'sip_uri' | 'pstn' | 'extension' | null;
  destination: string | null;
  archived_at: Date | null;
  /** A live or lapsed hold on the number (number-holds.ts); absent from rows read with a column list. */
  hold_account_id?: number | string | null;
  held_until?: Date | null;
  /** The admin's rate plan its per-minute terms come from; null = its own terms. */
  rate_plan_id?: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface DidListRow extends DidRow {
  provider_name: string | null;
  reseller_name: string | null;
  customer_name: string | null;
  holder: Holder;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

type FilterKey = 'city' | 'province' | 'providerId' | 'country' | 'status' | 'holder' | 'billingType';

/**
 * The filter whose (column, number) index should drive a page in number order: the most
 * selective one set. Numbers of a country share a prefix, which the planner's statistics do not
 * know, so left to itself it may walk another filter's index in number order and skip most of it
 * (country DE with billing type one time read 80,000 rows for 50 at a million).
 */
function leadingFilter(filters: DidFilters): FilterKey | undefined {
  if (filters.city) return 'city';
  if (filters.province) return 'province';
  if (filters.providerId !== undefined) return 'providerId';
  if (filters.country) return 'country';
  if (filters.status === 'inactive') return 'status';
  if (filters.holder && filters.holder !== 'stock') return 'holder';
  if (filters.billingType === 'one_time') return 'billingType';
  return undefined;
}

export function applyDidFilters<Q extends Knex.QueryBuilder>(query: Q, filters: DidFilters, alias = 'p'): Q {
  const col = (name: string) => `${alias}.${name}`;
  const leading = leadingFilter(filters);
  // Each filter other than the leading one is written so that no index matches it (the same
  // test, on an expression): the planner then drives the page from the leading filter's index.
  const indexed = (key: FilterKey) => leading === undefined || key === leading;
  query.where(col('category'), 'did');
  const archived = filters.archived ?? 'hide';
  if (archived === 'hide') query.whereNull(col('archived_at'));
  if (archived === 'only') query.whereNotNull(col('archived_at'));
  if (filters.q) query.where(col('number'), 'like', `%${escapeLike(filters.q)}%`);
  if (filters.country) {
    if (indexed('country')) query.where(col('country'), filters.country);
    else query.whereRaw(`upper(${col('country')}) = ?`, [filters.country]);
  }
  if (filters.province) {
    query.whereRaw(indexed('province') ? `lower(${col('province')}) = lower(?)` : `upper(${col('province')}) = upper(?)`, [filters.province]);
  }
  if (filters.city) query.whereRaw(`lower(${col('city')}) = lower(?)`, [filters.city]);
  if (filters.providerId !== undefined) {
    if (indexed('providerId')) query.where(col('provider_id'), filters.providerId);
    else query.whereRaw(`${col('provider_id')} + 0 = ?`, [filters.providerId]);
  }
  if (filters.status) {
    if (indexed('status')) query.where(col('status'), filters.status);
    else query.whereRaw(`lower(${col('status')}) = ?`, [filters.status]);
  }
  if (filters.billingType) {
    if (indexed('billingType')) query.where(col('billing_type'), filters.billingType);
    else query.whereRaw(`lower(${col('billing_type')}) = ?`, [filters.billingType]);
  }
  if (filters.holder) {
    const holder = HOLDER_SQL.replace(/(customer_id|reseller_id)/g, `${alias}.$1`);
    query.whereRaw(indexed('holder') ? `${holder} = ?` : `lower(${holder}) = ?`, [filters.holder]);
  }
  return query;
}

const HOLDER_OF_P = HOLDER_SQL.replace(/(customer_id|reseller_id)/g, 'p.$1');

/** Adds the provider's and holders' names and the holder kind to a query on `products as p`. */
export function withHolderColumns(db: Db, query: Knex.QueryBuilder): Knex.QueryBuilder {
  return query
    .leftJoin('providers as pr', 'pr.id', 'p.provider_id')
    .leftJoin('accounts as r', 'r.id', 'p.reseller_id')
    .leftJoin('accounts as c', 'c.id', 'p.customer_id')
    .select('p.*', 'pr.name as provider_name', 'r.name as reseller_name', 'c.name as customer_name', db.raw(`${HOLDER_OF_P} AS holder`));
}

const SORTS: Record<DidSort, string[]> = {
  number: ['number'],
  country: ['country', 'number'],
  monthly_fee: ['monthly_fee', 'id'],
  created: ['created_at', 'id'],
};

export async function listDids(
  db: Db,
  filters: DidFilters,
  options: { sort: DidSort; direction: 'asc' | 'desc'; limit: number; offset: number },
): Promise<DidListRow[]> {
  const query = withHolderColumns(db, applyDidFilters(db('products as p'), filters))
    .limit(options.limit)
    .offset(options.offset);
  for (const column of SORTS[options.sort]) query.orderBy(`p.${column}`, options.direction);
  return (await query) as DidListRow[];
}

/** Beyond this many matches, "number contains" gives a lower bound rather than a count. */
export const CONTAINS_COUNT_CAP = 1_000;

export interface DidCount {
  count: number;
  /** False when "number contains" matched more than CONTAINS_COUNT_CAP rows: count is then that cap. */
  exact: boolean;
}

/**
 * The number of DIDs the filters select. Without "number contains", it is summed from
 * did_counts (kept exact by triggers: migration create_did_counts), which stays fast at
 * millions of numbers; with it, matches are counted up to CONTAINS_COUNT_CAP.
 */
export async function countDids(db: Db, filters: DidFilters): Promise<DidCount> {
  if (filters.q) {
    const capped = applyDidFilters(db('products as p'), filters).select(db.raw('1')).limit(CONTAINS_COUNT_CAP + 1);
    const row = (await db.from(capped.as('matches')).count({ count: '*' }).first()) as { count: string | number };
    const count = Number(row.count);
    return count > CONTAINS_COUNT_CAP ? { count: CONTAINS_COUNT_CAP, exact: false } : { count, exact: true };
  }
  const query = db('did_counts');
  const archived = filters.archived ?? 'hide';
  if (archived !== 'include') query.where('archived', archived === 'only');
  if (filters.country) query.where('country', filters.country);
  if (filters.province) query.whereRaw('province = lower(?)', [filters.province]);
  if (filters.city) query.whereRaw('city = lower(?)', [filters.city]);
  if (filters.providerId !== undefined) query.where('provider_id', filters.providerId);
  if (filters.status) query.where('status', filters.status);
  if (filters.billingType) query.where('billing_type', filters.billingType);
  if (filters.holder) query.where('holder', filters.holder);
  const row = (await query.sum({ count: 'n' }).first()) as { count: string | number | null };
  return { count: Number(row.count ?? 0), exact: true };
}

/** One batch of the filtered list in number order, after `afterNumber`: how export streams. */
export async function listDidBatch(db: Db, filters: DidFilters, afterNumber: string | null, limit: number): Promise<DidListRow[]> {
  const query = withHolderColumns(db, applyDidFilters(db('products as p'), filters))
    .orderBy('p.number')
    .limit(limit);
  if (afterNumber !== null) query.where('p.number', '>', afterNumber);
  return (await query) as DidListRow[];
}

export async function findDid(db: Db, id: number): Promise<DidListRow | undefined> {
  const rows = (await withHolderColumns(db, db('products as p').where({ 'p.id': id, 'p.category': 'did' }))) as DidListRow[];
  return rows[0];
}

/** The DID with this number (archived ones too), as the list shows it. */
export async function findDidByNumber(db: Db, number: string): Promise<DidListRow | undefined> {
  const rows = (await withHolderColumns(db, db('products as p').where({ 'p.number': number, 'p.category': 'did' }))) as DidListRow[];
  return rows[0];
}

/** The row under a lock, for a change decided on what it holds. */
export async function lockDid(db: Db, id: number): Promise<DidRow | undefined> {
  return db<DidRow>('products').where({ id, category: 'did' }).forUpdate().first();
}

export type NewDid = DidTerms & { provider_id: number; rate_plan_id?: number | null };

export async function insertDid(db: Db, did: NewDid, now: Date): Promise<DidRow> {
  const [row] = await db('products').insert({ ...did, category: 'did', created_at: now, updated_at: now }).returning('*');
  return row as DidRow;
}

export async function updateDid(db: Db, id: number, fields: Partial<DidRow>, now: Date): Promise<DidRow> {
  const [row] = await db('products').where({ id }).update({ ...fields, updated_at: now }).returning('*');
  return row as DidRow;
}

/** Puts the number on one of the admin's rate plans, or (null) back on its own terms; updated_at stays as it is. */
export async function setDidRatePlan(db: Db, id: number, ratePlanId: number | null): Promise<void> {
  await db('products').where({ id }).update({ rate_plan_id: ratePlanId });
}

export async function deleteDid(db: Db, id: number): Promise<void> {
  await db('products').where({ id }).delete();
}

/** Numbers among `numbers` that are in the inventory already (archived ones too). */
export async function findExistingNumbers(db: Db, numbers: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < numbers.length; start += 5000) {
    const chunk = numbers.slice(start, start + 5000);
    const rows = (await db('products').whereIn('number', chunk).select('number')) as Array<{ number: string }>;
    for (const row of rows) found.add(row.number);
  }
  return found;
}

export interface DidSubscriptionRow {
  id: number;
  account_id: number;
  account_name: string;
  account_role: string;
  seller_id: number;
  seller_name: string;
  status: string;
  billing_type: string;
  billing_days: number;
  billing_period: string;
  billing_day: number | null;
  setup_fee: string;
  price: string;
  started_at: Date;
  next_billing_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
}

/** Every subscription the number ever had, newest first: its ownership history. */
export async function listDidSubscriptions(db: Db, productId: number): Promise<DidSubscriptionRow[]> {
  return db('subscriptions as s')
    .join('accounts as a', 'a.id', 's.account_id')
    .join('accounts as sel', 'sel.id', 's.seller_id')
    .where('s.product_id', productId)
    .orderBy([{ column: 's.started_at', order: 'desc' }, { column: 's.id', order: 'desc' }])
    .select(
      's.id', 's.account_id', 'a.name as account_name', 'a.role as account_role', 's.seller_id', sellerNameColumn(db, 'sel', 'seller_name'),
      's.status', 's.billing_type', 's.billing_days', 's.billing_period', 's.billing_day', 's.setup_fee', 's.price', 's.started_at', 's.next_billing_at', 's.ended_at', 's.end_reason',
    );
}

/** Subscriptions on the number ever, or (live) those not ended. */
export async function countDidSubscriptions(db: Db, productId: number, options: { live?: boolean } = {}): Promise<number> {
  const query = db('subscriptions').where({ product_id: productId });
  if (options.live) query.whereNot('status', 'ended');
  const row = (await query.count({ count: '*' }).first()) as { count: string | number };
  return Number(row.count);
}
