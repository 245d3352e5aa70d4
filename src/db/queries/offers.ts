// Buy DIDs, the number search: a buyer's offers (its seller's shelf, at the prices the buyer pays,
// less the numbers another account holds) with filters and a sort, and the countries on the shelf
// for the filter. The Buy DIDs page pages them by offset; the API by a cursor (the last number seen).
import type { Knex } from 'knex';
import type { BillingPeriod } from '../../domain/billing-calendar.ts';
import type { Db } from '../knex.ts';
import { whereOnShelf, type Shelf, type ShelfViewer } from '../repos/did-holdings.ts';
import { countOf, escapeLike, type Window } from '../repos/did-listings.ts';

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
  /** Restricts to these products (the ticked numbers of a multiple purchase). */
  ids?: number[] | undefined;
}

/** The sorts of the page; the API uses the ascending ones without country. */
export type OfferOrder = 'number' | 'monthly' | '-monthly' | 'setup' | '-setup' | 'country';
export type OfferSort = 'number' | 'monthly' | 'setup';

export interface OfferRow {
  id: number;
  number: string;
  country: string | null;
  province: string | null;
  city: string | null;
  billing_type: 'one_time' | 'recurring';
  billing_days: number;
  /** Calendar billing: 'month' charges a prorated first period (billing-calendar.ts). */
  billing_period: BillingPeriod;
  concurrent_calls: number;
  setup_fee: string;
  monthly_fee: string;
  connection_cost: string;
  grace_seconds: number;
  cost_per_minute: string;
  initial_increment: number;
  increment: number;
}

const OFFER_COLUMNS = (terms: string) => [
  'p.id', 'p.number', 'p.country', 'p.province', 'p.city', 'p.billing_type', 'p.billing_days', 'p.billing_period', 'p.concurrent_calls',
  `${terms}.setup_fee`, `${terms}.monthly_fee`, `${terms}.connection_cost`, `${terms}.grace_seconds`,
  `${terms}.cost_per_minute`, `${terms}.initial_increment`, `${terms}.increment`,
];

/** The shelf's numbers joined to the terms the buyer pays: a reseller's customer only sees numbers with sell terms. */
function offersBase(db: Db, shelf: Shelf, viewer: ShelfViewer): { query: Knex.QueryBuilder; terms: string } {
  const query = whereOnShelf(db('products as p'), shelf, viewer, 'p');
  if (shelf.kind === 'admin_stock') return { query, terms: 'p' };
  query.join('reseller_prices as rp', (join) => {
    join.on('rp.product_id', '=', 'p.id').andOn('rp.reseller_id', '=', db.raw('?', [shelf.resellerId]));
  });
  return { query, terms: 'rp' };
}

/** A search pattern as a LIKE pattern: `*` is one digit (`_`); the grammar allows only digits and `*`. */
function likeDigits(pattern: string): string {
  return escapeLike(pattern).replace(/\*/g, '_');
}

function filterOffers(query: Knex.QueryBuilder, terms: string, filters: OfferFilters): void {
  if (filters.ids) query.whereIn('p.id', filters.ids);
  if (filters.country) query.where('p.country', filters.country);
  if (filters.province) query.whereILike('p.province', `%${escapeLike(filters.province)}%`);
  if (filters.city) query.whereILike('p.city', `%${escapeLike(filters.city)}%`);
  if (filters.contains) query.where('p.number', 'like', `%${likeDigits(filters.contains)}%`);
  if (filters.prefix) query.where('p.number', 'like', `+${likeDigits(filters.prefix)}%`);
  if (filters.maxMonthly) query.where(`${terms}.monthly_fee`, '<=', filters.maxMonthly);
  if (filters.maxSetup) query.where(`${terms}.setup_fee`, '<=', filters.maxSetup);
  if (filters.billingType) query.where('p.billing_type', filters.billingType);
}

/** The sort: `countryOrder` lists the shelf's country codes in the order of their names (the page's language). */
function orderOffers(query: Knex.QueryBuilder, terms: string, order: OfferOrder, countryOrder: string[]): void {
  const direction = order.startsWith('-') ? 'desc' : 'asc';
  switch (order.replace(/^-/, '')) {
    case 'monthly':
      query.orderBy(`${terms}.monthly_fee`, direction);
      break;
    case 'setup':
      query.orderBy(`${terms}.setup_fee`, direction);
      break;
    case 'country':
      if (countryOrder.length > 0) {
        query.orderByRaw(`array_position(ARRAY[${countryOrder.map(() => '?').join(', ')}]::text[], p.country::text) ${direction} nulls last`, countryOrder);
      }
      break;
    default:
      break;
  }
  query.orderBy('p.number', 'asc');
}

const SORT_COLUMN: Record<string, string | undefined> = { number: undefined, monthly: 'monthly_fee', setup: 'setup_fee' };

/** Offers after the number `after` in an ascending sort (keyset: the sort value, then the number). */
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
  order?: OfferOrder | undefined;
  /** The shelf's country codes in name order, for the country sort. */
  countryOrder?: string[] | undefined;
  /** Cursor (ascending sorts only): only numbers after this one in the sort order. */
  after?: string | undefined;
  /** Leave out the count (the API pages by cursor and does not need it). */
  countless?: boolean;
}

export async function listOffers(db: Db, shelf: Shelf, viewer: ShelfViewer, request: OfferQuery): Promise<{ rows: OfferRow[]; total: number }> {
  const { query, terms } = offersBase(db, shelf, viewer);
  filterOffers(query, terms, request.filters);
  const order = request.order ?? 'number';
  const rowsQuery = query.clone().select(OFFER_COLUMNS(terms)).limit(request.window.limit).offset(request.window.offset);
  if (request.after && (order === 'number' || order === 'monthly' || order === 'setup')) afterCursor(db, rowsQuery, shelf, terms, order, request.after);
  orderOffers(rowsQuery, terms, order, request.countryOrder ?? []);
  const rows = (await rowsQuery) as OfferRow[];
  if (request.countless) return { rows, total: 0 };
  const total = await query.clone().count({ count: '*' }).first();
  return { rows, total: countOf(total) };
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
  return query.whereIn('p.number', numbers).select(OFFER_COLUMNS(terms)) as Promise<OfferRow[]>;
}
