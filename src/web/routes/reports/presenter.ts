// What the reports page shows: the rows with their names and formatted figures come from the
// template's helpers; this turns a report into the chart's data, the table's columns and the
// filters' options.
import type { MoneyRow } from '../../../db/queries/reports.ts';
import { countryName } from '../../../domain/phone-numbers.ts';
import { formatPhone } from '../../presenters/format.ts';
import type { Report } from '../../../services/reports.ts';
import { toPlain } from '../../../domain/money.ts';

/** JSON that cannot close the script element it sits in. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** A group's name on the page. */
export function groupLabel(report: Report['name'], row: Pick<MoneyRow, 'key' | 'label'>): string {
  switch (report) {
    case 'reseller': return row.key === 'direct' ? 'Direct customers' : (row.label ?? `Account ${row.key}`);
    case 'provider': return row.key === '0' ? 'No provider' : (row.label ?? `Provider ${row.key}`);
    case 'country': return row.key === '' ? 'Unknown' : `${countryName(row.key)} (${row.key})`;
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
export function reportChart(report: Report, title: string, decimals: number): ReportChart {
  if (report.kind === 'utilisation') {
    const data = {
      type: 'bar', labels: report.rows.map((row) => (row.country ? row.country : 'Unknown')),
      datasets: [
        { label: 'In stock', data: report.rows.map((row) => row.inStock) },
        { label: 'Reseller stock', data: report.rows.map((row) => row.resellerStock) },
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
