// What the reports page shows: the rows with their names and formatted figures come from the
// template's helpers; this turns a report into the chart's data, the table's columns and the
// filters' options.
import type { MoneyRow } from '../../../db/queries/reports.ts';
import { countryName } from '../../../domain/phone-numbers.ts';
import { formatPhone } from '../../presenters/format.ts';
import type { Report } from '../../../services/reports.ts';
import { toPlain } from '../../../domain/money.ts';
import { scriptJson } from '../../presenters/script-json.ts';

/** A group's name on the page. */
export function groupLabel(report: Report['name'], row: Pick<MoneyRow, 'key' | 'label'>): string {
  switch (report) {
    case 'reseller': return row.key === 'direct' ? 'Direct customers' : (row.label ?? `Account ${row.key}`);
    case 'provider': return row.key === '0' ? 'No provider' : (row.label ?? `Provider ${row.key}`);
    case 'country':
    case 'utilisation': return row.key === '' ? 'Unknown' : `${countryName(row.key)} (${row.key})`;
    case 'number': return formatPhone(row.label);
    default: return row.key;
  }
}

export interface ReportChart {
  id: string;
  title: string;
  /** {type, labels, datasets} for Chart.js (public/js/charts.js). */
  json: string;
}

/** The chart: revenue, cost and margin per group (numbers per status for utilisation). */
export function reportChart(report: Report, title: string, decimals: number, scope: 'all' | 'reseller'): ReportChart {
  if (report.kind === 'utilisation') {
    // As the table: a reseller's own stock is its "In stock"; the operator's stock is not its to see.
    const stock = scope === 'all'
      ? [{ label: 'In stock', data: report.rows.map((row) => row.inStock) }, { label: 'Reseller stock', data: report.rows.map((row) => row.resellerStock) }]
      : [{ label: 'In stock', data: report.rows.map((row) => row.resellerStock) }];
    const data = {
      type: 'bar', labels: report.rows.map((row) => groupLabel('utilisation', { key: row.country ?? '', label: null })),
      datasets: [
        ...stock,
        { label: 'Owned', data: report.rows.map((row) => row.owned) },
        { label: 'Idle 30 days', data: report.rows.map((row) => row.idle) },
      ],
    };
    return { id: 'chart-report', title, json: scriptJson(data) };
  }
  const money = (value: string) => Number(toPlain(value, decimals));
  const data = {
    type: report.name === 'day' ? 'line' : 'bar',
    labels: report.rows.map((row) => groupLabel(report.name, row)),
    datasets: [
      { label: 'Revenue', data: report.rows.map((row) => money(row.revenue)) },
      { label: 'Cost', data: report.rows.map((row) => money(row.cost)) },
      { label: 'Margin', data: report.rows.map((row) => money(row.margin)) },
    ],
  };
  return { id: 'chart-report', title, json: scriptJson(data) };
}

/** A month for a heading: "November 2026" (the first day of it, YYYY-MM-DD, UTC). */
export function monthLabel(day: string): string {
  return new Date(`${day.slice(0, 7)}-01T00:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}
