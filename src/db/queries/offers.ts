// Buy DIDs, the number search: a buyer's offers (its seller's shelf, at the seller's prices) with
// filters and a sort, and the countries on the shelf for the filter.
import type { Knex } from 'knex';
import type { Db } from '../knex.ts';
import { whereOnShelf, type Shelf } from '../repos/did-holdings.ts';
import { countOf, escapeLike, type Window } from '../repos/did-listings.ts';

export interface OfferFilters {
  country?: string | undefined;
  province?: string | undefined;
  city?: string | undefined;
  /** Digits the number contains anywhere; `*` stands for any one digit. */
  contains?: string | undefined;
  /** Digits the number starts with, after the +. */
  prefix?: string | undefined;
  maxMonthly?: string | undefined;
  maxSetup?: string | undefined;
  billingType?: 'one_time' | 'recurring' | undefined;
  /** Restricts to these products (the ticked numbers of a multiple purchase). */
  ids?: number[] | undefined;
}

export type OfferOrder = 'number' | 'monthly' | '-monthly' | 'setup' | '-setup' | 'country';

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
function offersBase(db: Db, shelf: Shelf): { query: Knex.QueryBuilder; terms: string } {
  const query = whereOnShelf(db('products as p'), shelf, 'p');
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

export async function listOffers(
  db: Db,
  shelf: Shelf,
  filters: OfferFilters,
  window: Window,
  sort: { order: OfferOrder; countryOrder: string[] } = { order: 'number', countryOrder: [] },
): Promise<{ rows: OfferRow[]; total: number }> {
  const { query, terms } = offersBase(db, shelf);
  filterOffers(query, terms, filters);
  const rowsQuery = query
    .clone()
    .select(
      'p.id', 'p.number', 'p.country', 'p.province', 'p.city', 'p.billing_type', 'p.billing_days', 'p.concurrent_calls',
      `${terms}.setup_fee`, `${terms}.monthly_fee`, `${terms}.connection_cost`, `${terms}.grace_seconds`,
      `${terms}.cost_per_minute`, `${terms}.initial_increment`, `${terms}.increment`,
    )
    .limit(window.limit)
    .offset(window.offset);
  orderOffers(rowsQuery, terms, sort.order, sort.countryOrder);
  const rows = (await rowsQuery) as OfferRow[];
  const total = await query.clone().count({ count: '*' }).first();
  return { rows, total: countOf(total) };
}

/** The countries on the shelf, for the country filter. */
export async function listOfferCountries(db: Db, shelf: Shelf): Promise<string[]> {
  const { query } = offersBase(db, shelf);
  const rows = (await query.whereNotNull('p.country').distinct('p.country').orderBy('p.country')) as Array<{ country: string }>;
  return rows.map((row) => row.country);
}
