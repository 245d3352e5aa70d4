// The reports (issue 19 item 5): revenue and cost by day, month, reseller, provider, country and
// number, and DID utilisation, for the operator or for one reseller's tree. The figures are
// grouped in Postgres (src/db/queries/reports.ts) from rollups kept in the charging transaction;
// this module picks the query, the chart's series and the CSV's columns.
import type { Writable } from 'node:stream';
import type { Db } from '../db/knex.ts';
import {
  moneyByDay, moneyByGroup, moneyByNumber, moneyTotals, utilisationByCountry,
  type MoneyGrouping, type MoneyRow, type MoneyTotals, type ReportFilters, type ReportScope, type UtilisationRow,
} from '../db/queries/reports.ts';
import { writeCsv, type CsvTable } from './csv-export.ts';
import { toPlain } from '../domain/money.ts';

export const REPORT_NAMES = ['day', 'month', 'reseller', 'provider', 'country', 'number', 'utilisation'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_TITLES: Record<ReportName, string> = {
  day: 'Revenue and cost per day',
  month: 'Revenue and cost per month',
  reseller: 'Revenue and cost per reseller',
  provider: 'Revenue and cost per provider',
  country: 'Revenue and cost per country',
  number: 'Revenue and cost per number (highest revenue first)',
  utilisation: 'DID utilisation per country',
};

/** The reports a scope may open: a reseller's tree is itself, so it has no per-reseller report. */
export function reportsOf(scope: ReportScope): ReportName[] {
  return scope.kind === 'all' ? [...REPORT_NAMES] : REPORT_NAMES.filter((name) => name !== 'reseller');
}

export type MoneyReport = {
  kind: 'money';
  name: Exclude<ReportName, 'utilisation'>;
  rows: MoneyRow[];
  /** Groups in all (for the per-number report, more than the page shows). */
  total: number;
  totals: MoneyTotals;
};
export type UtilisationReport = { kind: 'utilisation'; name: 'utilisation'; rows: UtilisationRow[]; totals: UtilisationRow | undefined };
export type Report = MoneyReport | UtilisationReport;

export interface Page {
  limit: number;
  offset: number;
}

export async function loadReport(db: Db, scope: ReportScope, name: ReportName, filters: ReportFilters, page: Page, now: Date): Promise<Report> {
  if (name === 'utilisation') {
    const rows = await utilisationByCountry(db, scope, filters, now);
    return { kind: 'utilisation', name, rows: rows.filter((row) => row.country !== null), totals: rows.find((row) => row.country === null) };
  }
  const totals = await moneyTotals(db, scope, filters);
  if (name === 'number') {
    const { rows, total } = await moneyByNumber(db, scope, filters, page);
    return { kind: 'money', name, rows, total, totals };
  }
  const rows = name === 'day' ? await moneyByDay(db, scope, filters) : await moneyByGroup(db, scope, name as Exclude<MoneyGrouping, 'number' | 'day'>, filters);
  return { kind: 'money', name, rows, total: rows.length, totals };
}

/** Rows of the per-number report read per CSV batch (it ranks the month, so it pages by rank). */
const NUMBER_CSV_BATCH = 5000;

const UTILISATION_TABLE: CsvTable<UtilisationRow> = {
  columns: ['country', 'numbers', 'in_stock', 'reseller_stock', 'on_hold', 'owned', 'idle_30_days'],
  numeric: ['numbers', 'in_stock', 'reseller_stock', 'on_hold', 'owned', 'idle_30_days'],
  record: (row) => [row.country ?? 'total', row.numbers, row.inStock, row.resellerStock, row.onHold, row.owned, row.idle],
};

/** The money reports' columns (the per-number one's name is an E.164 number, kept as it is). */
function moneyTable(name: ReportName, decimals: number): CsvTable<MoneyRow> {
  const figures = ['calls', 'billed_seconds', 'revenue', 'cost', 'margin'];
  return {
    columns: ['key', 'name', ...figures],
    numeric: name === 'number' ? [...figures, 'name'] : figures,
    record: (row) => [row.key, row.label ?? '', row.calls, row.billedSeconds, toPlain(row.revenue, decimals), toPlain(row.cost, decimals), toPlain(row.margin, decimals)],
  };
}

async function* numberBatches(db: Db, scope: ReportScope, filters: ReportFilters): AsyncGenerator<MoneyRow[]> {
  for (let offset = 0; ; offset += NUMBER_CSV_BATCH) {
    const { rows } = await moneyByNumber(db, scope, filters, { limit: NUMBER_CSV_BATCH, offset });
    if (rows.length > 0) yield rows;
    if (rows.length < NUMBER_CSV_BATCH) return;
  }
}

/** A report as CSV (plain decimals at the money decimals, raw E.164), with the page's filters, through the shared CSV writer. */
export async function writeReportCsv(db: Db, scope: ReportScope, name: ReportName, filters: ReportFilters, now: Date, decimals: number, out: Writable): Promise<void> {
  if (name === 'utilisation') {
    await writeCsv(UTILISATION_TABLE, [await utilisationByCountry(db, scope, filters, now)], out);
  } else if (name === 'number') {
    await writeCsv(moneyTable(name, decimals), numberBatches(db, scope, filters), out);
  } else {
    const rows = name === 'day' ? await moneyByDay(db, scope, filters) : await moneyByGroup(db, scope, name, filters);
    await writeCsv(moneyTable(name, decimals), [rows], out);
  }
}
