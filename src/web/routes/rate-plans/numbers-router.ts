// The admin puts numbers on a rate plan in bulk: the numbers ticked in the DID list, or every
// number its filters match (the same query string). A confirmation page says how many numbers
// will change before anything is saved. And the numbers on a plan. Mounted in the admin's area.
import { Router, type Request } from 'express';
import { formatDidNumber } from '../../../domain/did-terms.ts';
import { listNumbersByIds, listPlanNumbers } from '../../../db/queries/plan-numbers.ts';
import { exportPlanNumbers } from '../../../services/did-export.ts';
import { listDids } from '../../../db/repos/dids.ts';
import { findRatePlan, listPlanChoices } from '../../../db/repos/rate-plans.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { assignPlanToDids, countSelectedDids, type NumberSelection } from '../../../services/plan-numbers.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { idParam, validate } from '../../middleware/validate.ts';
import { presentDid } from '../../presenters/dids.ts';
import { pageLinks } from '../../presenters/page-links.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { didFiltersOf, type DidFilterQuery } from '../dids/schema.ts';
import { assignFormSchema, numbersQuerySchema, selectionSchema } from './schema.ts';

const PER_PAGE = 50;

function filterEntries(query: DidFilterQuery): Array<[string, string]> {
  return Object.entries(query).filter(([, value]) => value !== undefined && value !== '').map(([key, value]) => [key, String(value)]);
}

function selectionOf(form: DidFilterQuery & { ids: number[] }): NumberSelection {
  return form.ids.length > 0 ? { ids: form.ids } : { filters: didFiltersOf(form) };
}

export function ratePlanNumbersRouter({ db, now }: AppContext): Router {
  const router = Router();
  const selectionQuery = validate(selectionSchema, { from: 'query' });
  const assignForm = validate(assignFormSchema, {
    onInvalid: (_req, _res, { errors }) => {
      throw new ValidationError('Choose a rate plan', errors);
    },
  });
  const numbersQuery = validate(numbersQuerySchema, { from: 'query' });

  router.get('/assign', selectionQuery, async (_req, res) => {
    const { ids, plan, ...query } = selectionQuery.data(res);
    const selection = selectionOf({ ...query, ids });
    const [count, plans, sample] = await Promise.all([
      countSelectedDids(db, selection),
      listPlanChoices(db, null),
      'ids' in selection
        ? listNumbersByIds(db, selection.ids, 20)
        : listDids(db, selection.filters, { sort: 'number', direction: 'asc', limit: 20, offset: 0 }),
    ]);
    await renderPage(res, 'rate-plans/assign', {
      title: 'Assign a rate plan',
      count, plans, ids,
      filters: filterEntries(query),
      sample: sample.map((row) => ({ id: row.id, number: formatDidNumber(row.number) })),
      values: { plan: plan === null ? 'custom' : plan === undefined ? '' : String(plan) },
      fieldErrors: {},
      backHref: `/admin/dids?${new URLSearchParams(filterEntries(query)).toString()}`,
    });
  });

  router.post('/assign', assignForm, async (req, res) => {
    const { plan, ...form } = assignForm.data(res);
    const result = await assignPlanToDids(db, plan ?? null, selectionOf(form), { actorId: currentAccount(res).id, now: now() });
    const count = `${result.count.toLocaleString('en-US')} ${result.count === 1 ? 'number' : 'numbers'}`;
    flash(req, 'success', result.plan ? `${count} now use the rate plan ${result.plan.name}.` : `${count} now use their own terms.`);
    res.redirect(303, result.plan ? `/admin/rate-plans/${result.plan.id}` : '/admin/dids');
  });

  const planOf = async (req: Request) => {
    const plan = await findRatePlan(db, null, idParam(req, 'id', 'There is no such rate plan'));
    if (!plan) throw new NotFoundError('There is no such rate plan');
    return plan;
  };

  router.get('/:id/numbers/export.csv', async (req: Request, res) => {
    const plan = await planOf(req);
    res.type('text/csv; charset=utf-8');
    res.attachment(`numbers-on-plan-${plan.id}.csv`);
    await exportPlanNumbers(db, plan.id, res);
  });

  router.get('/:id/numbers', numbersQuery, async (req: Request, res) => {
    const plan = await planOf(req);
    const { page } = numbersQuery.data(res);
    const { rows, total } = await listPlanNumbers(db, plan.id, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
    await renderPage(res, 'rate-plans/numbers', {
      title: `Numbers on ${plan.name}`, plan, rows: rows.map(presentDid),
      pager: pageLinks(`/admin/rate-plans/${plan.id}/numbers`, {}, total, page, PER_PAGE),
    });
  });

  return router;
}
