// The admin's DID inventory: list with filters and CSV export, create and edit with the cost
// preview, each number's page. The import, the assignment and the status and removal have
// routers of their own, mounted here.
import { Router } from 'express';
import { previewCosts } from '../../../domain/cost-preview.ts';
import { formatDidNumber } from '../../../domain/did-terms.ts';
import { countDidSubscriptions, findDid, type DidRow, type DidSort } from '../../../db/repos/dids.ts';
import { listProviderNames } from '../../../db/repos/providers.ts';
import { findRatePlan } from '../../../db/repos/rate-plans.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { exportDids } from '../../../services/did-export.ts';
import { createDid, listDidPage, loadDidDetail, updateDidTerms } from '../../../services/inventory.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { idParam, validate } from '../../middleware/validate.ts';
import { auditNames } from '../../../db/queries/audit-trail.ts';
import { presentAudit, presentDid } from '../../presenters/dids.ts';
import { pageLinks } from '../../presenters/page-links.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { assignRouter } from './assign-router.ts';
import { lifecycleRouter } from './lifecycle-router.ts';
import { didFormPage } from './form-page.ts';
import { importRouter } from './import-router.ts';
import { DEFAULT_FORM_VALUES, didFormValues, fieldInfo, listHref, listValues } from './presenter.ts';
import { didFormSchema, didFiltersOf, listQuerySchema } from './schema.ts';

const NO_SUCH_DID = 'There is no such DID';

export function didsRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();
  const { renderForm, withRatePlan, previewOptions, countries } = didFormPage(context);
  const listQuery = validate(listQuerySchema, { from: 'query' });
  const didId = (req: Parameters<typeof idParam>[0]) => idParam(req, 'id', NO_SUCH_DID);

  router.use('/import', importRouter(context));

  router.get('/', listQuery, async (_req, res) => {
    const query = listQuery.data(res);
    const sort: DidSort = query.sort ?? 'number';
    const direction = query.dir ?? 'asc';
    const page = await listDidPage(db, { filters: didFiltersOf(query), sort, direction, page: query.page ?? 1, perPage: query.per_page ?? 50 });
    await renderPage(res, 'admin/dids/index', {
      title: 'DIDs', query, values: listValues(query), rows: page.rows.map(presentDid),
      sort, direction, providers: await listProviderNames(db), countries,
      pager: pageLinks('/admin/dids', query, page.total, page.page, page.perPage, { exact: page.totalExact, ends: true }),
      href: (changes: Record<string, string | number | undefined>) => listHref(query, changes),
      exportHref: listHref({ ...query, page: undefined, per_page: undefined, sort: undefined, dir: undefined }, {}, '/admin/dids/export.csv'),
    });
  });

  router.get('/export.csv', listQuery, async (_req, res) => {
    const stamp = now().toISOString().slice(0, 10);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="dids-${stamp}.csv"`);
    await exportDids(db, didFiltersOf(listQuery.data(res)), res);
  });

  router.get('/new', async (_req, res) => {
    await renderForm(res, { mode: 'new', values: { ...DEFAULT_FORM_VALUES } });
  });

  const newForm = validate(didFormSchema, {
    onInvalid: (_req, res, { values, errors }) => renderForm(res, { mode: 'new', values, errors }, 400),
  });

  router.post('/', newForm, async (req, res) => {
    const values = newForm.data(res);
    const planned = await withRatePlan(values);
    if (planned.error) return renderForm(res, { mode: 'new', values, errors: { rate_plan: planned.error } }, 400);
    let did: DidRow;
    try {
      did = await createDid(db, planned.values, { actorId: currentAccount(res).id, now: now(), ip: req.ip, ratePlanId: planned.planId });
    } catch (error) {
      if (error instanceof ValidationError) return renderForm(res, { mode: 'new', values: planned.values, errors: error.fields }, 400);
      throw error;
    }
    flash(req, 'success', `${formatDidNumber(did.number)} was added to the inventory.`);
    res.redirect(`/admin/dids/${did.id}`);
  });

  router.use('/', assignRouter(context), lifecycleRouter(context));

  router.get('/:id', async (req, res) => {
    const detail = await loadDidDetail(db, didId(req));
    const did = presentDid(detail.did);
    const names = await auditNames(db, detail.audit);
    await renderPage(res, 'admin/dids/show', {
      title: formatDidNumber(did.number), did, fields: fieldInfo(), subscriptions: detail.subscriptions,
      audit: detail.audit.map((row) => presentAudit(row, names)), removal: detail.removal,
      preview: previewCosts(detail.did, previewOptions), previewOptions, canAssign: true,
      ratePlan: detail.did.rate_plan_id ? await findRatePlan(db, null, detail.did.rate_plan_id) : undefined,
    });
  });

  router.get('/:id/edit', async (req, res) => {
    const id = didId(req);
    const did = await findDid(db, id);
    if (!did) throw new NotFoundError(NO_SUCH_DID);
    const live = await countDidSubscriptions(db, id, { live: true });
    await renderForm(res, { mode: 'edit', values: didFormValues(did), didId: id, number: did.number, liveSubscriptions: live, currentPlanId: did.rate_plan_id });
  });

  async function renderEditAgain(res: Parameters<typeof renderForm>[0], id: number, values: Record<string, string>, errors: Record<string, string>) {
    const did = await findDid(db, id);
    if (!did) throw new NotFoundError(NO_SUCH_DID);
    const live = await countDidSubscriptions(db, id, { live: true });
    await renderForm(res, { mode: 'edit', values, errors, didId: id, number: did.number, liveSubscriptions: live, currentPlanId: did.rate_plan_id }, 400);
  }

  const editForm = validate(didFormSchema, {
    onInvalid: (req, res, { values, errors }) => renderEditAgain(res, didId(req), values, errors),
  });

  router.post('/:id', editForm, async (req, res) => {
    const id = didId(req);
    const currentPlanId = (await findDid(db, id))?.rate_plan_id;
    const planned = await withRatePlan(editForm.data(res), currentPlanId);
    if (planned.error) return renderEditAgain(res, id, planned.values, { rate_plan: planned.error });
    try {
      await updateDidTerms(db, id, planned.values, { actorId: currentAccount(res).id, now: now(), ip: req.ip, ratePlanId: planned.planId });
    } catch (error) {
      if (error instanceof ValidationError) return renderEditAgain(res, id, planned.values, error.fields);
      throw error;
    }
    flash(req, 'success', 'The new terms are saved. They apply to new purchases; current subscriptions keep their locked price.');
    res.redirect(`/admin/dids/${id}`);
  });

  return router;
}
