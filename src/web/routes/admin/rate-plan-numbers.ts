// The admin puts numbers on a rate plan in bulk: the numbers ticked in the DID list, or every
// number its filters match (the same query string). A confirmation page says how many numbers
// will change before anything is saved.
import { Router, type Request } from 'express';
import { z } from 'zod';
import { formatDidNumber } from '../../../domain/did-terms.ts';
import { listNumbersByIds, listPlanNumbers } from '../../../db/queries/plan-numbers.ts';
import { listDids } from '../../../db/repos/dids.ts';
import { findRatePlan, listPlanChoices } from '../../../db/repos/rate-plans.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { assignPlanToDids, countSelectedDids, type NumberSelection } from '../../../services/rate-plans.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { presentDid } from '../../presenters/dids.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { didFilterSchema, didFiltersOf, type DidFilterQuery } from './did-filters.ts';

function filterEntries(query: DidFilterQuery): Array<[string, string]> {
  return Object.entries(query).filter(([, value]) => value !== undefined && value !== '').map(([key, value]) => [key, String(value)]);
}

function idsOf(source: Record<string, unknown>): number[] {
  const raw = source.ids;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return [...new Set(list.map((value) => Number(value)).filter((value) => Number.isSafeInteger(value) && value > 0))];
}

function planParam(value: unknown): number | null | undefined {
  if (value === 'custom') return null;
  const parsed = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

const PER_PAGE = 50;

export function ratePlanNumbersRouter({ db, now }: AppContext): Router {
  const router = Router();

  function selectionOf(source: Record<string, unknown>): { selection: NumberSelection; query: DidFilterQuery; ids: number[] } {
    const query = didFilterSchema.parse(source);
    const ids = idsOf(source);
    return { selection: ids.length > 0 ? { ids } : { filters: didFiltersOf(query) }, query, ids };
  }

  router.get('/assign', async (req, res) => {
    const source = req.query as Record<string, unknown>;
    const { selection, query, ids } = selectionOf(source);
    const [count, plans, sample] = await Promise.all([
      countSelectedDids(db, selection),
      listPlanChoices(db, null),
      'ids' in selection
        ? listNumbersByIds(db, selection.ids, 20)
        : listDids(db, selection.filters, { sort: 'number', direction: 'asc', limit: 20, offset: 0 }),
    ]);
    const plan = planParam(source.plan);
    await renderPage(res, 'rate-plans/assign', {
      title: 'Assign a rate plan',
      count, plans, ids,
      filters: filterEntries(query),
      sample: (sample as Array<{ id: number; number: string }>).map((row) => ({ id: row.id, number: formatDidNumber(row.number) })),
      values: { plan: plan === null ? 'custom' : plan === undefined ? '' : String(plan) },
      fieldErrors: {},
      backHref: `/admin/dids?${new URLSearchParams(filterEntries(query)).toString()}`,
    });
  });

  router.post('/assign', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const { selection } = selectionOf(body);
    const plan = planParam(body.plan);
    if (plan === undefined) throw new ValidationError('Choose a rate plan', { plan: 'Choose a rate plan, or the numbers’ own terms' });
    const result = await assignPlanToDids(db, plan, selection, { actorId: currentAccount(res).id, now: now() });
    const count = `${result.count.toLocaleString('en-US')} ${result.count === 1 ? 'number' : 'numbers'}`;
    flash(req, 'success', result.plan ? `${count} now use the rate plan ${result.plan.name}.` : `${count} now use their own terms.`);
    res.redirect(303, result.plan ? `/admin/rate-plans/${result.plan.id}` : '/admin/dids');
  });

  router.get('/:id/numbers', async (req: Request, res) => {
    const id = planParam(req.params.id);
    const plan = id ? await findRatePlan(db, null, id) : undefined;
    if (!plan) throw new NotFoundError('There is no such rate plan');
    const page = Math.max(1, Math.min(100_000, Number(req.query.page) || 1));
    const { rows, total } = await listPlanNumbers(db, plan.id, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
    await renderPage(res, 'rate-plans/numbers', {
      title: `Numbers on ${plan.name}`, plan, rows: rows.map(presentDid), total, page,
      pages: Math.max(1, Math.ceil(total / PER_PAGE)),
      href: (target: number) => `/admin/rate-plans/${plan.id}/numbers?page=${target}`,
    });
  });

  return router;
}
