// The reports' figures, grouped in Postgres from the daily rollups (report_cube_days for the
// coarse groupings, report_number_days per number; see migration 20261202130000) and, for
// utilisation, from the numbers themselves. Days are UTC dates; both ends of a range included.
import { daysOf, wholeMonthOf } from '../../domain/report-range.ts';
import type { Db } from '../knex.ts';

/** Whose figures: the operator (every sale an admin made) or one reseller (its sales and its costs). */
export type ReportScope = { kind: 'all' } | { kind: 'reseller'; id: number };

export const MONEY_GROUPINGS = ['day', 'month', 'reseller', 'provider', 'country', 'number'] as const;
export type MoneyGrouping = (typeof MONEY_GROUPINGS)[number];

export interface ReportFilters {
  from: string;
  to: string;
  resellerId?: number | undefined;
  providerId?: number | undefined;
  country?: string | undefined;
}

export interface MoneyRow {
  /** The group: a day or month (YYYY-MM-DD / YYYY-MM), an id, a country code or a number. */
  key: string;
  /** What the group is called on a page (a name, a number); null when the group has none. */
  label: string | null;
  calls: number;
  billedSeconds: number;
  revenue: string;
  cost: string;
  /** Revenue less cost. */
  margin: string;
}

export type MoneyTotals = Omit<MoneyRow, 'key' | 'label'>;

type Bindings = Record<string, string | number>;

type CubeGroup = 'reseller' | 'provider' | 'country' | null;

/**
 * The scope's rows of report_cube_days and how money reads in them. The operator's revenue is
 * what an admin charged its buyers and its cost what the providers charge for the numbers sold; a
 * reseller's revenue is what its customers were charged, its cost what the operator charged it
 * (the operator's sales in its tree). One level of the cube: the bits of the dimensions the
 * report groups by or filters on (tree 1, provider 2, country 4); the others read as -1 / '*'.
 */
function cubeScoped(scope: ReportScope, filters: ReportFilters, group: CubeGroup) {
  const bindings: Bindings = { from: filters.from, to: filters.to };
  const where = ['r.day between cast(:from as date) and cast(:to as date)'];
  let level = 0;
  if (scope.kind === 'reseller') {
    level |= 1;
    where.push('r.reseller_id = :self');
    bindings.self = scope.id;
  } else {
    where.push('r.operator_sale');
    if (filters.resellerId !== undefined) {
      level |= 1;
      where.push('r.reseller_id = :resellerId');
      bindings.resellerId = filters.resellerId;
    } else if (group === 'reseller') level |= 1;
    else where.push('r.reseller_id = -1');
  }
  if (filters.providerId !== undefined) {
    level |= 2;
    where.push('r.provider_id = :providerId');
    bindings.providerId = filters.providerId;
  } else if (group === 'provider') level |= 2;
  else where.push('r.provider_id = -1');
  if (filters.country !== undefined) {
    level |= 4;
    where.push('r.country = :country');
    bindings.country = filters.country;
  } else if (group === 'country') level |= 4;
  else where.push("r.country = '*'");
  where.push(`r.level = ${level}`);
  const sold = scope.kind === 'all' ? 'true' : 'not r.operator_sale';
  const revenue = scope.kind === 'all' ? 'sum(r.call_amount + r.fee_amount)' : 'coalesce(sum(r.call_amount + r.fee_amount) filter (where not r.operator_sale), 0)';
  const cost = scope.kind === 'all' ? 'sum(r.provider_cost)' : 'coalesce(sum(r.call_amount + r.fee_amount) filter (where r.operator_sale), 0)';
  return { where: where.join(' and '), bindings, measures: measuresOf(sold, revenue, cost), revenue };
}

/** The same scope over report_number_days, whose rows name the seller and the account charged. */
function numberScoped(scope: ReportScope, filters: ReportFilters) {
  const bindings: Bindings = { from: filters.from, to: filters.to };
  const where = ['r.day between cast(:from as date) and cast(:to as date)'];
  let revenue: string;
  let cost: string;
  let sold: string;
  if (scope.kind === 'all') {
    where.push('r.operator_sale');
    sold = 'true';
    revenue = 'sum(r.call_amount + r.fee_amount)';
    cost = 'sum(r.provider_cost)';
    if (filters.resellerId !== undefined) {
      where.push('r.reseller_id = :resellerId');
      bindings.resellerId = filters.resellerId;
    }
  } else {
    bindings.self = scope.id;
    where.push('(r.seller_id = :self or r.account_id = :self)');
    sold = 'r.seller_id = :self';
    revenue = 'coalesce(sum(r.call_amount + r.fee_amount) filter (where r.seller_id = :self), 0)';
    cost = 'coalesce(sum(r.call_amount + r.fee_amount) filter (where r.account_id = :self), 0)';
  }
  if (filters.providerId !== undefined) {
    where.push('r.provider_id = :providerId');
    bindings.providerId = filters.providerId;
  }
  if (filters.country !== undefined) {
    where.push('r.country = :country');
    bindings.country = filters.country;
  }
  return { where: where.join(' and '), bindings, measures: measuresOf(sold, revenue, cost), revenue };
}

function measuresOf(sold: string, revenue: string, cost: string): string {
  return `
    coalesce(sum(r.calls) filter (where ${sold}), 0)::int as calls,
    coalesce(sum(r.billed_seconds) filter (where ${sold}), 0)::bigint as "billedSeconds",
    ${revenue}::numeric(20,6)::text as revenue,
    ${cost}::numeric(20,6)::text as cost,
    (${revenue} - ${cost})::numeric(20,6)::text as margin`;
}

async function rowsOf<T>(db: Db, sql: string, bindings: Bindings): Promise<T[]> {
  return ((await db.raw(sql, bindings)) as { rows: T[] }).rows;
}

const numeric = <T extends { calls: number | string; billedSeconds: number | string }>(row: T): T => ({
  ...row, calls: Number(row.calls), billedSeconds: Number(row.billedSeconds),
});

/** The figures of the whole range and filters, for the table's last line. */
export async function moneyTotals(db: Db, scope: ReportScope, filters: ReportFilters): Promise<MoneyTotals> {
  const { where, bindings, measures } = cubeScoped(scope, filters, null);
  const [row] = await rowsOf<MoneyTotals>(db, `select ${measures} from report_cube_days r where ${where}`, bindings);
  return numeric(row ?? { calls: 0, billedSeconds: 0, revenue: '0', cost: '0', margin: '0' });
}

const GROUPS: Record<Exclude<MoneyGrouping, 'number'>, { key: string; label: string; join: string; order: string }> = {
  day: { key: "to_char(r.day, 'YYYY-MM-DD')", label: 'null', join: '', order: '1' },
  month: { key: "to_char(r.day, 'YYYY-MM')", label: 'null', join: '', order: '1' },
  reseller: { key: "case r.reseller_id when 0 then 'direct' else r.reseller_id::text end", label: 'min(g.name)', join: 'left join accounts g on g.id = r.reseller_id', order: 'by revenue' },
  provider: { key: 'r.provider_id::text', label: 'min(g.name)', join: 'left join providers g on g.id = r.provider_id', order: 'by revenue' },
  country: { key: 'r.country', label: 'null', join: '', order: 'by revenue' },
};

/** Revenue and cost per day, month, reseller, provider or country: every group, in order. */
export async function moneyByGroup(db: Db, scope: ReportScope, grouping: Exclude<MoneyGrouping, 'number'>, filters: ReportFilters): Promise<MoneyRow[]> {
  const { where, bindings, measures, revenue } = cubeScoped(scope, filters, grouping === 'day' || grouping === 'month' ? null : grouping);
  const group = GROUPS[grouping];
  // The highest revenue first, as a number (the selected column is text).
  const order = group.order === 'by revenue' ? `${revenue} desc, 1` : group.order;
  const sql = `
    select ${group.key} as key, ${group.label} as label, ${measures}
      from report_cube_days r ${group.join}
     where ${where}
     group by 1 order by ${order}`;
  return (await rowsOf<MoneyRow>(db, sql, bindings)).map(numeric);
}

/** Every day of the range, a day with nothing as zeros (for the day chart's even axis). */
export async function moneyByDay(db: Db, scope: ReportScope, filters: ReportFilters): Promise<MoneyRow[]> {
  const found = new Map((await moneyByGroup(db, scope, 'day', filters)).map((row) => [row.key, row]));
  return daysOf(filters).map((day) => found.get(day) ?? { key: day, label: null, calls: 0, billedSeconds: 0, revenue: '0.000000', cost: '0.000000', margin: '0.000000' });
}

export interface NumberPage {
  rows: MoneyRow[];
  total: number;
}

/** Revenue and cost per number, the highest revenue first, one page at a time. */
export async function moneyByNumber(db: Db, scope: ReportScope, filters: ReportFilters, page: { limit: number; offset: number }): Promise<NumberPage> {
  const month = wholeMonthOf(filters);
  if (scope.kind === 'all' && month !== null) return operatorNumbersOfMonth(db, month, filters, page);
  const { where, bindings, measures, revenue } = numberScoped(scope, filters);
  const sql = `
    select n.product_id::text as key, p.number as label, n.calls, n."billedSeconds", n.revenue, n.cost, n.margin, n.total
      from (
        select r.product_id, ${measures}, ${revenue} as sort, count(*) over () as total
          from report_number_days r
         where ${where}
         group by r.product_id
         order by sort desc, r.product_id
         limit :limit offset :offset
      ) n
      join products p on p.id = n.product_id
     order by n.sort desc, n.product_id`;
  const rows = await rowsOf<MoneyRow & { total: string | number; sort: unknown }>(db, sql, { ...bindings, limit: page.limit, offset: page.offset });
  let total = Number(rows[0]?.total ?? 0);
  if (rows.length === 0 && page.offset > 0) {
    const counted = await rowsOf<{ total: string | number }>(db, `select count(distinct r.product_id) as total from report_number_days r where ${where}`, bindings);
    total = Number(counted[0]?.total ?? 0);
  }
  return { rows: rows.map(({ total: _total, sort: _sort, ...row }) => numeric(row)), total };
}

const NUMBER_FIGURES = `
  n.product_id::text as key, p.number as label, n.calls::int as calls, n.billed_seconds::bigint as "billedSeconds",
  n.revenue::numeric(20,6)::text as revenue, n.cost::numeric(20,6)::text as cost, (n.revenue - n.cost)::numeric(20,6)::text as margin`;

/** A number's whole-month row (the primary key: one row at most). */
const WHOLE_MONTH_ROW = (alias: string, product: string) =>
  `${alias}.month = cast(:month as date) and ${alias}.product_id = ${product} and ${alias}.reseller_id = -1 and ${alias}.provider_id = -1 and ${alias}.country = '*'`;

/**
 * The operator's numbers of one calendar month, from report_number_months (written when the day
 * rows are compacted) plus the day rows not compacted yet: the same sums as report_number_days.
 * With no filter, the top of the month is an index walk over the numbers' whole-month rows: the
 * page's window plus one row per number with new rows (a new row can move a number down, so that
 * many more rows keep the page exact), those numbers added, then sorted again. With a filter, the
 * detail rows of that tree, provider or country are grouped per number.
 */
async function operatorNumbersOfMonth(db: Db, month: string, filters: ReportFilters, page: { limit: number; offset: number }): Promise<NumberPage> {
  const bindings: Bindings = { month, from: filters.from, to: filters.to, limit: page.limit, offset: page.offset };
  const detail: string[] = [];
  for (const [column, value] of [['reseller_id', filters.resellerId], ['provider_id', filters.providerId], ['country', filters.country]] as const) {
    if (value === undefined) continue;
    detail.push(`r.${column} = :${column}`);
    bindings[column] = value;
  }
  const pending = `
    select r.product_id, r.calls, r.billed_seconds, r.call_amount + r.fee_amount as revenue, r.provider_cost as cost
      from report_number_days r
     where not r.compacted and r.operator_sale and r.day between cast(:from as date) and cast(:to as date)
       ${detail.map((condition) => `and ${condition}`).join(' ')}`;
  const sql = detail.length > 0 ? `
    select ${NUMBER_FIGURES}, n.total
      from (
        select u.product_id, sum(u.calls) as calls, sum(u.billed_seconds) as billed_seconds, sum(u.revenue) as revenue, sum(u.cost) as cost,
               count(*) over () as total
          from (
            select r.product_id, r.calls, r.billed_seconds, r.revenue, r.cost
              from report_number_months r where r.month = cast(:month as date) and r.reseller_id <> -1 and ${detail.join(' and ')}
            union all ${pending}
          ) u
         group by u.product_id order by sum(u.revenue) desc, u.product_id limit :limit offset :offset
      ) n join products p on p.id = n.product_id
     order by n.revenue desc, n.product_id` : `
    with pending as (
      select g.product_id, sum(g.calls) as calls, sum(g.billed_seconds) as billed_seconds, sum(g.revenue) as revenue, sum(g.cost) as cost
        from (${pending}) g group by g.product_id
    ), top as (
      select r.product_id, r.calls, r.billed_seconds, r.revenue, r.cost from report_number_months r
       where r.month = cast(:month as date) and r.reseller_id = -1
       order by r.revenue desc, r.product_id
       limit :window
    ), n as (
      select u.product_id, sum(u.calls) as calls, sum(u.billed_seconds) as billed_seconds, sum(u.revenue) as revenue, sum(u.cost) as cost
        from (
          select * from top
          union all
          select w.product_id, w.calls, w.billed_seconds, w.revenue, w.cost
            from pending q join report_number_months w on ${WHOLE_MONTH_ROW('w', 'q.product_id')}
           where not exists (select 1 from top t where t.product_id = q.product_id)
          union all
          select * from pending
        ) u
       group by u.product_id order by sum(u.revenue) desc, u.product_id limit :limit offset :offset
    )
    select ${NUMBER_FIGURES},
           (select count(*) from report_number_months x where x.month = cast(:month as date) and x.reseller_id = -1)
           + (select count(*) from pending q where not exists (select 1 from report_number_months x where ${WHOLE_MONTH_ROW('x', 'q.product_id')})) as total
      from n join products p on p.id = n.product_id
     order by n.revenue desc, n.product_id`;
  if (detail.length === 0) {
    // The window as one value, so the planner sees how few rows the walk reads (an expression with
    // a subquery would be planned as a tenth of the month).
    const [counted] = await rowsOf<{ n: string | number }>(db, `select count(distinct g.product_id) as n from (${pending}) g`, bindings);
    bindings.window = page.offset + page.limit + Number(counted?.n ?? 0);
  }
  const rows = await rowsOf<MoneyRow & { total: string | number }>(db, sql, bindings);
  let total = Number(rows[0]?.total ?? 0);
  if (rows.length === 0 && page.offset > 0) total = (await operatorNumbersOfMonth(db, month, filters, { limit: 1, offset: 0 })).total;
  return { rows: rows.map(({ total: _total, ...row }) => numeric(row)), total };
}

export interface UtilisationRow {
  /** The country code ('' when the number has none); null on the totals line. */
  country: string | null;
  numbers: number;
  /** The operator's numbers that nobody holds (the admin only). */
  inStock: number;
  /** A reseller's numbers not yet sold to a customer. */
  resellerStock: number;
  /** Unsold numbers on a buyer's hold that has not expired. */
  onHold: number;
  /** Numbers a customer owns. */
  owned: number;
  /** Owned numbers with no call in the last 30 days. */
  idle: number;
}

/**
 * DID utilisation per country, the totals last: how many numbers are in stock, on hold, owned,
 * and owned but idle (no call in the 30 days up to `today`, from report_number_last_calls).
 */
export async function utilisationByCountry(db: Db, scope: ReportScope, filters: Omit<ReportFilters, 'from' | 'to'>, now: Date): Promise<UtilisationRow[]> {
  if (scope.kind === 'all' && filters.resellerId === undefined) return operatorUtilisation(db, filters, now);
  const where = ["p.category = 'did'", 'p.archived_at is null'];
  const bindings: Bindings = { now: now.toISOString() };
  if (scope.kind === 'reseller') {
    where.push('p.reseller_id = :self');
    bindings.self = scope.id;
  } else if (filters.resellerId !== undefined) {
    where.push('p.reseller_id = :resellerId');
    bindings.resellerId = filters.resellerId;
  }
  if (filters.providerId !== undefined) {
    where.push('p.provider_id = :providerId');
    bindings.providerId = filters.providerId;
  }
  if (filters.country !== undefined) {
    where.push('p.country = :country');
    bindings.country = filters.country;
  }
  const sql = `
    select case when grouping(coalesce(p.country, '')) = 1 then null else coalesce(p.country, '') end as country,
      count(*)::int as numbers,
      count(*) filter (where p.reseller_id is null and p.customer_id is null)::int as "inStock",
      count(*) filter (where p.reseller_id is not null and p.customer_id is null)::int as "resellerStock",
      count(*) filter (where p.customer_id is null and p.hold_id is not null and p.held_until > cast(:now as timestamptz))::int as "onHold",
      count(*) filter (where p.customer_id is not null)::int as owned,
      count(*) filter (where p.customer_id is not null
        and (l.last_call_day is null or l.last_call_day < (cast(:now as timestamptz) at time zone 'UTC')::date - 29))::int as idle
    from products p
    left join report_number_last_calls l on l.product_id = p.id
    where ${where.join(' and ')}
    group by grouping sets ((coalesce(p.country, '')), ())
    order by grouping(coalesce(p.country, '')), numbers desc, 1`;
  return rowsOf<UtilisationRow>(db, sql, bindings);
}

/**
 * The operator's utilisation over every tree, without reading each number: the counts per holder
 * are those did_counts keeps (exact, per country and provider, kept by the products' triggers);
 * holds are few (a partial index finds the unexpired ones); idle = owned less the owned numbers
 * with a call since the cutoff (an index-only join of the owned numbers with
 * report_number_last_calls, in number order). (A tree is not a dimension of did_counts: a reseller's
 * utilisation reads its own numbers, which its index finds.)
 */
async function operatorUtilisation(db: Db, filters: Omit<ReportFilters, 'from' | 'to' | 'resellerId'>, now: Date): Promise<UtilisationRow[]> {
  const bindings: Bindings = { now: now.toISOString() };
  const counted = ['not c.archived'];
  const numbers = ["p.category = 'did'", 'p.archived_at is null'];
  if (filters.providerId !== undefined) {
    counted.push('c.provider_id = :providerId');
    numbers.push('p.provider_id = :providerId');
    bindings.providerId = filters.providerId;
  }
  if (filters.country !== undefined) {
    counted.push('c.country = :country');
    numbers.push('p.country = :country');
    bindings.country = filters.country;
  }
  const sql = `
    with figures as (
      select c.country, c.n as numbers,
             case when c.holder = 'stock' then c.n else 0 end as in_stock,
             case when c.holder = 'reseller' then c.n else 0 end as reseller_stock,
             0 as on_hold,
             case when c.holder = 'customer' then c.n else 0 end as owned,
             case when c.holder = 'customer' then c.n else 0 end as idle
        from did_counts c where ${counted.join(' and ')}
      union all
      select coalesce(p.country, ''), 0, 0, 0, 1, 0, 0
        from products p
       where p.hold_id is not null and p.customer_id is null and p.held_until > cast(:now as timestamptz) and ${numbers.join(' and ')}
      union all
      select coalesce(p.country, ''), 0, 0, 0, 0, 0, -1
        from products p join report_number_last_calls l on l.product_id = p.id
       where p.customer_id is not null and ${numbers.join(' and ')}
         and l.last_call_day >= (cast(:now as timestamptz) at time zone 'UTC')::date - 29
    )
    select case when grouping(f.country) = 1 then null else f.country end as country,
           coalesce(sum(f.numbers), 0)::int as numbers, coalesce(sum(f.in_stock), 0)::int as "inStock",
           coalesce(sum(f.reseller_stock), 0)::int as "resellerStock", coalesce(sum(f.on_hold), 0)::int as "onHold",
           coalesce(sum(f.owned), 0)::int as owned, coalesce(sum(f.idle), 0)::int as idle
      from figures f
     group by grouping sets ((f.country), ())
    having sum(f.numbers) > 0 or grouping(f.country) = 1
     order by grouping(f.country), numbers desc, 1`;
  // The planner prefers hashing the 600,000 owned numbers; the join in number order of two
  // index-only scans is twice as fast (bench:reports), so hash joins are off for this statement.
  return db.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_hashjoin = off');
    return rowsOf<UtilisationRow>(trx, sql, bindings);
  });
}
