// The lists of numbers the holders see: a reseller's held numbers with buy and sell terms, a
// customer's numbers, a receipt. A buyer's offers (the number search) are in db/queries/offers.ts.
import type { Knex } from 'knex';
import type { BillingPeriod } from '../../domain/billing-calendar.ts';
import type { Db } from '../knex.ts';
import { sellerNameColumn } from './company-profiles.ts';
import { listSubscriptionLedger, type SubscriptionLedgerRow } from './subscription-details.ts';
import type { SubscriptionRow } from './subscriptions.ts';

export interface Window {
  limit: number;
  offset: number;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function countOf(row: unknown): number {
  return Number((row as { count?: unknown } | undefined)?.count ?? 0);
}

export interface HeldFilters {
  contains?: string | undefined;
  country?: string | undefined;
  assignment?: 'assigned' | 'unassigned' | undefined;
  /** This number exactly (E.164). */
  number?: string | undefined;
  /** Cursor: numbers after this one. */
  after?: string | undefined;
}

export interface HeldRow {
  id: number;
  number: string;
  country: string | null;
  province: string | null;
  city: string | null;
  billing_type: 'one_time' | 'recurring';
  billing_days: number;
  billing_period: BillingPeriod;
  concurrent_calls: number;
  customer_id: number | null;
  customer_name: string | null;
  subscription_id: number | null;
  subscription_status: 'active' | 'suspended' | null;
  started_at: Date | null;
  next_billing_at: Date | null;
  /** What the reseller pays: its locked setup and period price, the admin's per-minute terms. */
  buy_setup_fee: string;
  buy_monthly_fee: string;
  buy_connection_cost: string;
  buy_grace_seconds: number;
  buy_cost_per_minute: string;
  buy_initial_increment: number;
  buy_increment: number;
  /** What its customers pay; null when it has set none. */
  sell_setup_fee: string | null;
  sell_monthly_fee: string | null;
  sell_connection_cost: string | null;
  sell_grace_seconds: number | null;
  sell_cost_per_minute: string | null;
  sell_initial_increment: number | null;
  sell_increment: number | null;
  /** The reseller's rate plan its per-minute sell terms follow, if any. */
  sell_rate_plan_id: number | null;
  sell_rate_plan_name: string | null;
}

function heldBase(db: Db, resellerId: number): Knex.QueryBuilder {
  return db('products as p')
    .where('p.reseller_id', resellerId)
    .where('p.category', 'did')
    .whereNull('p.archived_at')
    .leftJoin('reseller_prices as rp', (join) => {
      join.on('rp.product_id', '=', 'p.id').andOn('rp.reseller_id', '=', db.raw('?', [resellerId]));
    })
    .leftJoin('rate_plans as plan', 'plan.id', 'rp.rate_plan_id')
    .leftJoin('accounts as c', 'c.id', 'p.customer_id')
    .leftJoin('subscriptions as s', (join) => {
      join.on('s.product_id', '=', 'p.id').andOn('s.account_id', '=', db.raw('?', [resellerId])).andOn('s.status', '<>', db.raw("'ended'"));
    });
}

const HELD_COLUMNS = [
  'p.id', 'p.number', 'p.country', 'p.province', 'p.city', 'p.billing_type', 'p.billing_days', 'p.billing_period', 'p.concurrent_calls', 'p.customer_id',
  'c.name as customer_name', 's.id as subscription_id', 's.status as subscription_status', 's.started_at', 's.next_billing_at',
  'p.connection_cost as buy_connection_cost', 'p.grace_seconds as buy_grace_seconds', 'p.cost_per_minute as buy_cost_per_minute',
  'p.initial_increment as buy_initial_increment', 'p.increment as buy_increment',
  'rp.setup_fee as sell_setup_fee', 'rp.monthly_fee as sell_monthly_fee', 'rp.connection_cost as sell_connection_cost',
  'rp.grace_seconds as sell_grace_seconds', 'rp.cost_per_minute as sell_cost_per_minute',
  'rp.initial_increment as sell_initial_increment', 'rp.increment as sell_increment',
  'rp.rate_plan_id as sell_rate_plan_id', 'plan.name as sell_rate_plan_name',
];

function heldSelect(db: Db, query: Knex.QueryBuilder): Knex.QueryBuilder {
  return query.select(
    ...HELD_COLUMNS,
    db.raw('coalesce(s.setup_fee, p.setup_fee) as buy_setup_fee'),
    db.raw('coalesce(s.price, p.monthly_fee) as buy_monthly_fee'),
  );
}

function heldFiltered(db: Db, resellerId: number, filters: HeldFilters): Knex.QueryBuilder {
  const query = heldBase(db, resellerId);
  if (filters.contains) query.where('p.number', 'like', `%${escapeLike(filters.contains)}%`);
  if (filters.country) query.where('p.country', filters.country);
  if (filters.assignment === 'assigned') query.whereNotNull('p.customer_id');
  if (filters.assignment === 'unassigned') query.whereNull('p.customer_id');
  if (filters.number) query.where('p.number', filters.number);
  if (filters.after) query.where('p.number', '>', filters.after);
  return query;
}

export async function listHeldDids(db: Db, resellerId: number, filters: HeldFilters, window: Window): Promise<{ rows: HeldRow[]; total: number }> {
  const query = heldFiltered(db, resellerId, filters);
  const [rows, total] = await Promise.all([
    heldSelect(db, query.clone()).orderBy('p.number').limit(window.limit).offset(window.offset) as Promise<HeldRow[]>,
    query.clone().count({ count: '*' }).first(),
  ]);
  return { rows, total: countOf(total) };
}

/** The filtered list in number order after `after`, no count: how the CSV export streams. */
export async function listHeldDidBatch(db: Db, resellerId: number, filters: HeldFilters, after: string | undefined, limit: number): Promise<HeldRow[]> {
  return heldSelect(db, heldFiltered(db, resellerId, { ...filters, after })).orderBy('p.number').limit(limit) as Promise<HeldRow[]>;
}

/** The countries of the reseller's numbers, for the country filter. */
export async function listHeldCountries(db: Db, resellerId: number): Promise<string[]> {
  const rows = (await heldBase(db, resellerId).whereNotNull('p.country').distinct('p.country')) as Array<{ country: string }>;
  return rows.map((row) => row.country);
}

export async function findHeldDid(db: Db, resellerId: number, productId: number): Promise<HeldRow | undefined> {
  return heldSelect(db, heldBase(db, resellerId).where('p.id', productId)).first() as Promise<HeldRow | undefined>;
}

export async function findHeldDids(db: Db, resellerId: number, productIds: number[]): Promise<HeldRow[]> {
  return heldSelect(db, heldBase(db, resellerId).whereIn('p.id', productIds)) as Promise<HeldRow[]>;
}

export interface OwnedFilters {
  contains?: string | undefined;
  status?: 'active' | 'suspended' | undefined;
  number?: string | undefined;
  after?: string | undefined;
}

export interface OwnedRow {
  id: number;
  number: string;
  country: string | null;
  province: string | null;
  city: string | null;
  concurrent_calls: number;
  destination_type: 'sip_uri' | 'pstn' | 'extension' | null;
  destination: string | null;
  seller_name: string | null;
  subscription_id: number | null;
  status: 'active' | 'suspended' | null;
  billing_type: 'one_time' | 'recurring';
  billing_days: number;
  billing_period: BillingPeriod;
  billing_day: number | null;
  setup_fee: string;
  price: string;
  started_at: Date | null;
  next_billing_at: Date | null;
  connection_cost: string;
  grace_seconds: number;
  cost_per_minute: string;
  initial_increment: number;
  increment: number;
}

function ownedBase(db: Db, customerId: number): Knex.QueryBuilder {
  return db('products as p')
    .where('p.customer_id', customerId)
    .where('p.category', 'did')
    .whereNull('p.archived_at')
    .leftJoin('subscriptions as s', (join) => {
      join.on('s.product_id', '=', 'p.id').andOn('s.account_id', '=', db.raw('?', [customerId])).andOn('s.status', '<>', db.raw("'ended'"));
    })
    // A reseller's customer pays the reseller's per-minute terms; a direct customer the admin's.
    .leftJoin('reseller_prices as rp', (join) => {
      join.on('rp.product_id', '=', 'p.id').andOn('rp.reseller_id', '=', 'p.reseller_id');
    })
    .leftJoin('accounts as seller', 'seller.id', 's.seller_id');
}

function ownedSelect(db: Db, query: Knex.QueryBuilder): Knex.QueryBuilder {
  return query.select(
    'p.id', 'p.number', 'p.country', 'p.province', 'p.city', 'p.concurrent_calls', 'p.destination_type', 'p.destination',
    sellerNameColumn(db, 'seller', 'seller_name'), 's.id as subscription_id', 's.status', 's.started_at', 's.next_billing_at',
    db.raw('coalesce(s.billing_type, p.billing_type) as billing_type'),
    db.raw('coalesce(s.billing_days, p.billing_days) as billing_days'),
    db.raw('coalesce(s.billing_period, p.billing_period) as billing_period'),
    's.billing_day',
    db.raw('coalesce(s.setup_fee, rp.setup_fee, p.setup_fee) as setup_fee'),
    db.raw('coalesce(s.price, rp.monthly_fee, p.monthly_fee) as price'),
    db.raw('coalesce(rp.connection_cost, p.connection_cost) as connection_cost'),
    db.raw('coalesce(rp.grace_seconds, p.grace_seconds) as grace_seconds'),
    db.raw('coalesce(rp.cost_per_minute, p.cost_per_minute) as cost_per_minute'),
    db.raw('coalesce(rp.initial_increment, p.initial_increment) as initial_increment'),
    db.raw('coalesce(rp.increment, p.increment) as increment'),
  );
}

function ownedFiltered(db: Db, customerId: number, filters: OwnedFilters): Knex.QueryBuilder {
  const query = ownedBase(db, customerId);
  if (filters.contains) query.where('p.number', 'like', `%${escapeLike(filters.contains)}%`);
  if (filters.status) query.where('s.status', filters.status);
  if (filters.number) query.where('p.number', filters.number);
  if (filters.after) query.where('p.number', '>', filters.after);
  return query;
}

/** The filtered list in number order after `after`, no count: how the CSV export streams. */
export async function listOwnedDidBatch(db: Db, customerId: number, filters: OwnedFilters, after: string | undefined, limit: number): Promise<OwnedRow[]> {
  return ownedSelect(db, ownedFiltered(db, customerId, { ...filters, after })).orderBy('p.number').limit(limit) as Promise<OwnedRow[]>;
}

export async function listOwnedDids(db: Db, customerId: number, filters: OwnedFilters, window: Window): Promise<{ rows: OwnedRow[]; total: number }> {
  const query = ownedFiltered(db, customerId, filters);
  const [rows, total] = await Promise.all([
    ownedSelect(db, query.clone()).orderBy('p.number').limit(window.limit).offset(window.offset) as Promise<OwnedRow[]>,
    query.clone().count({ count: '*' }).first(),
  ]);
  return { rows, total: countOf(total) };
}

export async function findOwnedDid(db: Db, customerId: number, productId: number): Promise<OwnedRow | undefined> {
  return ownedSelect(db, ownedBase(db, customerId).where('p.id', productId)).first() as Promise<OwnedRow | undefined>;
}

export interface Receipt
  extends Pick<SubscriptionRow, 'status' | 'billing_type' | 'billing_days' | 'billing_period' | 'billing_day' | 'setup_fee' | 'price' | 'started_at' | 'next_billing_at' | 'ended_at'> {
  subscription_id: number;
  number: string;
  product_id: number;
  seller_name: string;
}

/** A purchase of this account and its ledger rows; undefined for another account's subscription. */
export async function findReceipt(db: Db, accountId: number, subscriptionId: number): Promise<{ receipt: Receipt; entries: SubscriptionLedgerRow[] } | undefined> {
  const receipt = (await db('subscriptions as s')
    .join('products as p', 'p.id', 's.product_id')
    .join('accounts as seller', 'seller.id', 's.seller_id')
    .where({ 's.id': subscriptionId, 's.account_id': accountId })
    .first(
      's.id as subscription_id', 'p.number', 'p.id as product_id', sellerNameColumn(db, 'seller', 'seller_name'), 's.status', 's.billing_type',
      's.billing_days', 's.billing_period', 's.billing_day', 's.setup_fee', 's.price', 's.started_at', 's.next_billing_at', 's.ended_at',
    )) as Receipt | undefined;
  if (!receipt) return undefined;
  return { receipt, entries: await listSubscriptionLedger(db, { id: subscriptionId, account_id: accountId }) };
}
