// A buyer's offers: its seller's shelf at the prices the buyer pays, less the numbers another
// account holds. The Buy DIDs page pages them by offset; the API by a cursor (the last number seen).
import type { Knex } from 'knex';
import type { Db } from '../knex.ts';
import { whereOnShelf, type Shelf, type ShelfViewer } from '../repos/did-holdings.ts';

export interface Window {
  limit: number;
  offset: number;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export interface OfferFilters {
  country?: string | undefined;
  province?: string | undefined;
  city?: string | undefined;
  /** Digits the number contains anywhere; `*` stands for any one digit (Twilio's wildcard). */
  contains?: string | undefined;
  /** Digits the number starts with, after the +. */
  prefix?: string | undefined;
  maxMonthly?: string | undefined;
  maxSetup?: string | undefined;
  billingType?: 'one_time' | 'recurring' | undefined;
}

export type OfferSort = 'number' | 'monthly' | 'setup';

export interface OfferRow {
  id: number;
  number: string;
  country: string | null;
  province: string | null;
  city: string | null;
  setup_fee: string;
  monthly_fee: string;
  billing_type: 'one_time' | 'recurring';
  billing_days: number;
  connection_cost: string;
  grace_seconds: number;
  cost_per_minute: string;
  initial_increment: number;
  increment: number;
  concurrent_calls: number;
}

/** The shelf's numbers joined to the terms the buyer pays: a reseller's customer only sees numbers with sell terms. */
function offersBase(db: Db, shelf: Shelf, viewer: ShelfViewer): { query: Knex.QueryBuilder; terms: string } {
  const query = whereOnShelf(db('products as p'), shelf, viewer, 'p');
  if (shelf.kind === 'admin_stock') return { query, terms: 'p' };
  query.join('reseller_prices as rp', (join) => {
    join.on('rp.product_id', '=', 'p.id').andOn('rp.reseller_id', '=', db.raw('?', [shelf.resellerId]));
  });
  return { query, terms: 'rp' };
}

function filterOffers(query: Knex.QueryBuilder, terms: string, filters: OfferFilters): void {
  if (filters.country) query.where('p.country', filters.country);
  if (filters.province) query.whereILike('p.province', `%${escapeLike(filters.province)}%`);
  if (filters.city) query.whereILike('p.city', `%${escapeLike(filters.city)}%`);
  if (filters.contains) query.where('p.number', 'like', `%${escapeLike(filters.contains).replace(/\*/g, '_')}%`);
  if (filters.prefix) query.where('p.number', 'like', `+${escapeLike(filters.prefix)}%`);
  if (filters.maxMonthly) query.where(`${terms}.monthly_fee`, '<=', filters.maxMonthly);
  if (filters.maxSetup) query.where(`${terms}.setup_fee`, '<=', filters.maxSetup);
  if (filters.billingType) query.where('p.billing_type', filters.billingType);
}

const SORT_COLUMN: Record<OfferSort, string | undefined> = { number: undefined, monthly: 'monthly_fee', setup: 'setup_fee' };

/** Offers after the number `after` in the order of `sort` (keyset: the sort value, then the number). */
function afterCursor(db: Db, query: Knex.QueryBuilder, shelf: Shelf, terms: string, sort: OfferSort, after: string): void {
  const column = SORT_COLUMN[sort];
  if (!column) {
    query.where('p.number', '>', after);
    return;
  }
  const value =
    shelf.kind === 'admin_stock'
      ? db('products').where('number', after).select(column)
      : db('reseller_prices as rp2').join('products as p2', 'p2.id', 'rp2.product_id').where('p2.number', after).where('rp2.reseller_id', shelf.resellerId).select(`rp2.${column}`);
  query.whereRaw('(??, p.number) > (?, ?)', [`${terms}.${column}`, value, after]);
}

export interface OfferQuery {
  filters: OfferFilters;
  window: Window;
  sort?: OfferSort | undefined;
  /** Cursor: only numbers after this one in the sort order. */
  after?: string | undefined;
  /** Leave out the count (the API pages by cursor and does not need it). */
  countless?: boolean;
}

export async function listOffers(db: Db, shelf: Shelf, viewer: ShelfViewer, request: OfferQuery): Promise<{ rows: OfferRow[]; total: number }> {
  const { query, terms } = offersBase(db, shelf, viewer);
  filterOffers(query, terms, request.filters);
  const sort = request.sort ?? 'number';
  const page = query.clone();
  if (request.after) afterCursor(db, page, shelf, terms, sort, request.after);
  const column = SORT_COLUMN[sort];
  const order = column ? [{ column: `${terms}.${column}` }, { column: 'p.number' }] : request.sort ? [{ column: 'p.number' }] : [{ column: 'p.country' }, { column: 'p.number' }];
  const [rows, total] = await Promise.all([
    page
      .select(
        'p.id', 'p.number', 'p.country', 'p.province', 'p.city', 'p.billing_type', 'p.billing_days', 'p.concurrent_calls',
        `${terms}.setup_fee`, `${terms}.monthly_fee`, `${terms}.connection_cost`, `${terms}.grace_seconds`,
        `${terms}.cost_per_minute`, `${terms}.initial_increment`, `${terms}.increment`,
      )
      .orderBy(order)
      .limit(request.window.limit)
      .offset(request.window.offset) as Promise<OfferRow[]>,
    request.countless ? Promise.resolve(undefined) : query.clone().count({ count: '*' }).first(),
  ]);
  return { rows, total: Number((total as { count?: unknown } | undefined)?.count ?? 0) };
}

/** The countries on the shelf, for the country filter. */
export async function listOfferCountries(db: Db, shelf: Shelf, viewer: ShelfViewer): Promise<string[]> {
  const { query } = offersBase(db, shelf, viewer);
  const rows = (await query.whereNotNull('p.country').distinct('p.country').orderBy('p.country')) as Array<{ country: string }>;
  return rows.map((row) => row.country);
}

/** The offered rows of these numbers (those on the viewer's shelf, not held by another account). */
export async function findOffersByNumber(db: Db, shelf: Shelf, viewer: ShelfViewer, numbers: string[]): Promise<OfferRow[]> {
  const { query, terms } = offersBase(db, shelf, viewer);
  return query
    .whereIn('p.number', numbers)
    .select('p.id', 'p.number', 'p.country', 'p.province', 'p.city', 'p.billing_type', 'p.billing_days', 'p.concurrent_calls',
      `${terms}.setup_fee`, `${terms}.monthly_fee`, `${terms}.connection_cost`, `${terms}.grace_seconds`,
      `${terms}.cost_per_minute`, `${terms}.initial_increment`, `${terms}.increment`) as Promise<OfferRow[]>;
}
