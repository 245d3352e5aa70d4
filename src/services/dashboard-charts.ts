// The dashboards' charts: the last 30 days of money, calls, numbers and balance for one scope
// (the platform, a reseller's tree, a customer), each series grouped per day in Postgres.
import type { Db } from '../db/knex.ts';
import {
  balancePerDay, callsPerDay, moneyPerDay, numbersPerDay,
  type DayRange, type SeriesScope,
} from '../db/queries/dashboard-series.ts';
import { parseMoney, toPlain, type Money } from '../domain/money.ts';

export const CHART_DAYS = 30;

export const CHART_NAMES = ['money', 'calls', 'numbers', 'margin', 'balance'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

/** One chart's figures: a column per series, a row per day; money as plain decimal strings. */
export interface ChartSeries {
  name: ChartName;
  title: string;
  type: 'bar' | 'line';
  days: string[];
  series: { key: string; label: string; money: boolean; values: (string | number)[] }[];
}

/** The last `days` days up to and including the day of `now` (UTC). */
export function dayRange(now: Date, days = CHART_DAYS): DayRange {
  const last = now.toISOString().slice(0, 10);
  const first = new Date(Date.parse(`${last}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { first, last };
}

/** Which charts a role's dashboard shows. */
export function chartsOf(scope: SeriesScope): ChartName[] {
  if (scope.kind === 'all') return ['money', 'calls', 'numbers'];
  if (scope.kind === 'reseller') return ['money', 'margin', 'calls', 'numbers', 'balance'];
  return ['money', 'calls', 'numbers', 'balance'];
}

export async function loadChart(db: Db, scope: SeriesScope, name: ChartName, now: Date, decimals: number): Promise<ChartSeries> {
  const range = dayRange(now);
  const money = (value: string | Money) => toPlain(value, decimals);
  switch (name) {
    case 'money': {
      const rows = await moneyPerDay(db, scope, range);
      const series = [{ key: 'charges', label: scope.kind === 'all' ? 'Charges (all accounts)' : 'Charges', money: true, values: rows.map((r) => money(r.charges)) }];
      if (scope.kind !== 'customer') series.push({ key: 'revenue', label: scope.kind === 'all' ? 'Revenue (sold by the operator)' : 'Revenue from customers', money: true, values: rows.map((r) => money(r.revenue)) });
      return { name, title: scope.kind === 'customer' ? 'Charges per day' : 'Charges and revenue per day', type: 'bar', days: rows.map((r) => r.day), series };
    }
    case 'margin': {
      const rows = await moneyPerDay(db, scope, range);
      const values = rows.map((r) => money(parseMoney(r.revenue).minus(parseMoney(r.charges))));
      return { name, title: 'Margin per day', type: 'bar', days: rows.map((r) => r.day), series: [{ key: 'margin', label: 'Margin (revenue less charges)', money: true, values }] };
    }
    case 'calls': {
      const rows = await callsPerDay(db, scope, range);
      return {
        name, title: 'Calls and minutes per day', type: 'bar', days: rows.map((r) => r.day),
        series: [
          { key: 'calls', label: 'Calls', money: false, values: rows.map((r) => Number(r.calls)) },
          { key: 'minutes', label: 'Minutes', money: false, values: rows.map((r) => Number(r.minutes)) },
        ],
      };
    }
    case 'numbers': {
      const rows = await numbersPerDay(db, scope, range);
      return {
        name, title: 'Numbers bought and released per day', type: 'bar', days: rows.map((r) => r.day),
        series: [
          { key: 'bought', label: 'Bought', money: false, values: rows.map((r) => Number(r.bought)) },
          { key: 'released', label: 'Released', money: false, values: rows.map((r) => Number(r.released)) },
        ],
      };
    }
    case 'balance': {
      if (scope.kind === 'all') throw new Error('The platform has no balance history');
      const rows = await balancePerDay(db, scope.id, range);
      return { name, title: 'Balance at the end of each day', type: 'line', days: rows.map((r) => r.day), series: [{ key: 'balance', label: 'Balance', money: true, values: rows.map((r) => money(r.balance)) }] };
    }
  }
}

export async function loadCharts(db: Db, scope: SeriesScope, now: Date, decimals: number): Promise<ChartSeries[]> {
  return Promise.all(chartsOf(scope).map((name) => loadChart(db, scope, name, now, decimals)));
}

/** One chart as CSV rows: day, then each series (plain decimals). */
export function chartCsvRows(chart: ChartSeries): { header: string[]; rows: (string | number)[][] } {
  return {
    header: ['day', ...chart.series.map((s) => s.key)],
    rows: chart.days.map((day, i) => [day, ...chart.series.map((s) => s.values[i]!)]),
  };
}
