// The rate plans list as CSV, in the list's filters (name, archived): each plan with the terms
// of its version in force (absolute terms, or a reseller's markup) and how many versions wait.
import type { Router, Response } from 'express';
import { listRatePlanBatch, type PlanOwner, type RatePlanListRow } from '../../../db/repos/rate-plans.ts';
import { planLines, type PlanLine as PlanLineOf } from '../../../services/rate-plans.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { validate } from '../../middleware/validate.ts';
import { csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { listQuerySchema } from './schema.ts';

type PlanLine = PlanLineOf<RatePlanListRow>;

const TERMS = [
  'connection_cost', 'grace_seconds', 'cost_per_minute', 'initial_increment', 'increment',
  'connection_markup_percent', 'connection_markup_amount', 'per_minute_markup_percent', 'per_minute_markup_amount',
] as const;

const PLANS_CSV: CsvTable<PlanLine> = {
  columns: ['id', 'name', 'kind', 'description', 'archived_at', 'number_count', 'in_force_since', ...TERMS, 'scheduled_versions'],
  numeric: ['id', 'number_count', ...TERMS, 'scheduled_versions'],
  record: ({ plan, inForce, scheduled }) => [
    plan.id, plan.name, plan.kind, csvText(plan.description), csvTime(plan.archived_at), plan.number_count, csvTime(inForce?.effective_from),
    ...TERMS.map((term) => csvText(inForce?.[term])), scheduled,
  ],
};

/** GET <area>/rate-plans/export.csv: the area's own plans (the admin's, or the reseller's). */
export function plansExportRoute(router: Router, { db, now }: AppContext, ownerOf: (res: Response) => PlanOwner): void {
  const exportQuery = validate(listQuerySchema, { from: 'query', answer: 'text' });
  router.get('/export.csv', exportQuery, async (_req, res) => {
    const owner = ownerOf(res);
    const { q, archived } = exportQuery.data(res);
    const at = now();
    const read = async (after: number | undefined, limit: number): Promise<PlanLine[]> =>
      planLines(db, await listRatePlanBatch(db, owner, { q, archived }, after, limit), at);
    await sendCsv(res, 'rate-plans.csv', PLANS_CSV, keysetBatches(read, (line) => line.plan.id));
  });
}
