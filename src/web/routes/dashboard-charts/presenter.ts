// What a dashboard's chart partial shows: the data for the bundle (public/js/charts.js) as JSON,
// the same figures as a table, and the CSV link.
import type { ChartSeries } from '../../../services/dashboard-charts.ts';
import { scriptJson } from '../../presenters/script-json.ts';

export interface ChartView {
  id: string;
  title: string;
  /** {type, labels, datasets} for Chart.js, safe inside <script type="application/json">. */
  json: string;
  days: string[];
  series: ChartSeries['series'];
  csvHref: string;
}

export function presentChart(chart: ChartSeries, basePath: string): ChartView {
  const data = {
    type: chart.type,
    labels: chart.days,
    datasets: chart.series.map((s) => ({ label: s.label, data: s.values.map(Number) })),
  };
  return {
    id: `chart-${chart.name}`,
    title: chart.title,
    json: scriptJson(data),
    days: chart.days,
    series: chart.series,
    csvHref: `${basePath}/dashboard/chart.csv?chart=${chart.name}`,
  };
}
