// Which chart's figures the CSV export gives.
import { z } from 'zod';
import { CHART_NAMES } from '../../../services/dashboard-charts.ts';

export const chartCsvQuerySchema = z.object({
  chart: z.enum(CHART_NAMES, { message: 'Choose a chart: ' + CHART_NAMES.join(', ') }),
});
