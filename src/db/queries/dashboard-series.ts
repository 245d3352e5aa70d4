// The day-by-day figures of the dashboards' charts: one query per set of series, grouped in SQL
// over generate_series (so a day with nothing is a row of zeros), days in UTC.
import type { Db } from '../knex.ts';

/** Whose figures: the whole platform (the admin), a reseller's tree, or one customer. */
export type SeriesScope = { kind: 'all' } | { kind: 'reseller'; id: number } | { kind: 'customer'; id: number };

/** The days shown: from the first to the last, both included, as YYYY-MM-DD (UTC). */
export interface DayRange {
  first: string;
  last: string;
}

const CHARGE_KINDS = "('setup_fee', 'recurring_fee', 'call_charge')";

function bounds(range: DayRange) {
  const from = new Date(`${range.first}T00:00:00Z`);
  const to = new Date(new Date(`${range.last}T00:00:00Z`).getTime() + 86_400_000);
  return { first: range.first, last: range.last, from, to };
}

const DAYS = "generate_series(cast(:first as timestamp), cast(:last as timestamp), interval '1 day') as d(day)";
const DAY_OF = (column: string) => `date_trunc('day', ${column} at time zone 'UTC')`;

async function rowsOf<T>(db: Db, sql: string, bindings: Record<string, unknown>): Promise<T[]> {
  const result = (await db.raw(sql, bindings)) as { rows: T[] };
  return result.rows;
}

export interface MoneyDay {
  day: string;
  /** Charges posted to the scope's accounts (the admin: to every account), a positive figure. */
  charges: string;
  /** Charges posted to the accounts the scope sells to (the admin: its direct accounts). */
  revenue: string;
}

/** Charges and revenue per day; the margin is revenue less charges. */
export async function moneyPerDay(db: Db, scope: SeriesScope, range: DayRange): Promise<MoneyDay[]> {
  const b = bounds(range);
  const self = scope.kind === 'all' ? null : scope.id;
  const charged = scope.kind === 'all' ? 'true' : 'l.account_id = :self';
  const sold = scope.kind === 'all' ? "p.role = 'admin'" : 'a.parent_id = :self';
  const sql = `
    select to_char(d.day, 'YYYY-MM-DD') as day,
      coalesce(m.charges, 0)::numeric(20,6)::text as charges,
      coalesce(m.revenue, 0)::numeric(20,6)::text as revenue
    from ${DAYS}
    left join (
      select ${DAY_OF('l.created_at')} as day,
        -sum(l.amount) filter (where ${charged}) as charges,
        -sum(l.amount) filter (where ${sold}) as revenue
      from ledger_entries l
      join accounts a on a.id = l.account_id
      left join accounts p on p.id = a.parent_id
      where l.kind in ${CHARGE_KINDS} and l.created_at >= :from and l.created_at < :to
        and (${charged} or ${sold})
      group by 1
    ) m on m.day = d.day
    order by d.day`;
  return rowsOf<MoneyDay>(db, sql, { ...b, ...(self === null ? {} : { self }) });
}

export interface CallDay {
  day: string;
  calls: number;
  /** Answered minutes (billsec / 60), to one decimal. */
  minutes: number;
}

export async function callsPerDay(db: Db, scope: SeriesScope, range: DayRange): Promise<CallDay[]> {
  const b = bounds(range);
  const where = scope.kind === 'all' ? 'true' : scope.kind === 'reseller' ? '(c.owner_id = :self or c.reseller_id = :self)' : 'c.owner_id = :self';
  const sql = `
    select to_char(d.day, 'YYYY-MM-DD') as day,
      coalesce(c.calls, 0)::int as calls,
      round(coalesce(c.seconds, 0) / 60.0, 1)::float8 as minutes
    from ${DAYS}
    left join (
      select ${DAY_OF('c.started_at')} as day, count(*) as calls, sum(c.billsec) as seconds
      from calls c
      where ${where} and c.started_at >= :from and c.started_at < :to
      group by 1
    ) c on c.day = d.day
    order by d.day`;
  return rowsOf<CallDay>(db, sql, { ...b, ...(scope.kind === 'all' ? {} : { self: scope.id }) });
}

export interface NumbersDay {
  day: string;
  bought: number;
  released: number;
}

/** Subscriptions started and ended per day: the admin sees all, a reseller its own and its customers'. */
export async function numbersPerDay(db: Db, scope: SeriesScope, range: DayRange): Promise<NumbersDay[]> {
  const b = bounds(range);
  const where = scope.kind === 'all' ? 'true' : scope.kind === 'reseller' ? '(s.account_id = :self or s.seller_id = :self)' : 's.account_id = :self';
  const sql = `
    select to_char(d.day, 'YYYY-MM-DD') as day,
      coalesce(n.bought, 0)::int as bought,
      coalesce(n.released, 0)::int as released
    from ${DAYS}
    left join (
      select day, count(*) filter (where what = 'bought') as bought, count(*) filter (where what = 'released') as released
      from (
        select ${DAY_OF('s.started_at')} as day, 'bought' as what from subscriptions s
          where ${where} and s.started_at >= :from and s.started_at < :to
        union all
        select ${DAY_OF('s.ended_at')} as day, 'released' as what from subscriptions s
          where ${where} and s.ended_at >= :from and s.ended_at < :to
      ) x
      group by day
    ) n on n.day = d.day
    order by d.day`;
  return rowsOf<NumbersDay>(db, sql, { ...b, ...(scope.kind === 'all' ? {} : { self: scope.id }) });
}

export interface BalanceDay {
  day: string;
  /** The balance at the end of the day (UTC): the last ledger row's balance_after. */
  balance: string;
}

export async function balancePerDay(db: Db, accountId: number, range: DayRange): Promise<BalanceDay[]> {
  const sql = `
    select to_char(d.day, 'YYYY-MM-DD') as day,
      coalesce((
        select l.balance_after from ledger_entries l
        where l.account_id = :self and l.created_at < (d.day + interval '1 day') at time zone 'UTC'
        order by l.created_at desc, l.id desc limit 1
      ), 0)::numeric(20,6)::text as balance
    from ${DAYS}
    order by d.day`;
  return rowsOf<BalanceDay>(db, sql, { ...bounds(range), self: accountId });
}
