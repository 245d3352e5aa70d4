// The admin's providers: the carriers its numbers come from, and each one's numbers.
// Mounted at /admin/providers.
import { Router, type Request, type Response } from 'express';
import { countDids, listDids } from '../../../db/repos/dids.ts';
import { auditNames, listAuditTrail } from '../../../db/queries/audit-trail.ts';
import { countProviders, findProvider, listProviders, type ProviderRow } from '../../../db/repos/providers.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { createProvider, editProvider } from '../../../services/providers.ts';
import { presentProvider } from './presenter.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { formValues, idParam, validate, type Invalid } from '../../middleware/validate.ts';
import { presentAudit, presentDid } from '../../presenters/dids.ts';
import { hrefWith, pageLinks } from '../../presenters/page-links.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { listQuerySchema, providerSchema } from './schema.ts';
import { providersExportRoute } from './export.ts';

const PER_PAGE = 50;

export function providersRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();
  const providerId = (req: Request) => idParam(req, 'id', 'There is no such provider');
  const loadProvider = async (req: Request) => {
    const provider = await findProvider(db, providerId(req));
    if (!provider) throw new NotFoundError('There is no such provider');
    return provider;
  };
  const renderForm = (res: Response, provider: ProviderRow | undefined, { values, errors }: Invalid) =>
    renderPage(res, 'admin/providers/form', { title: provider ? `Edit ${provider.name}` : 'New provider', provider: provider && presentProvider(provider), values, fieldErrors: errors }, 400);
  const listQuery = validate(listQuerySchema, { from: 'query' });
  const newForm = validate(providerSchema, { onInvalid: (_req, res, invalid) => renderForm(res, undefined, invalid) });
  const editForm = validate(providerSchema, { onInvalid: async (req, res, invalid) => renderForm(res, await loadProvider(req), invalid) });

  router.get('/', listQuery, async (_req, res) => {
    const query = listQuery.data(res);
    const page = query.page ?? 1;
    const [providers, total] = await Promise.all([
      listProviders(db, { q: query.q, limit: PER_PAGE, offset: (page - 1) * PER_PAGE }),
      countProviders(db, query.q),
    ]);
    await renderPage(res, 'admin/providers/index', {
      title: 'Providers', providers: providers.map(presentProvider), values: { q: query.q ?? '' },
      pager: pageLinks('/admin/providers', { q: query.q }, total, page, PER_PAGE), exportHref: hrefWith('/admin/providers/export.csv', { q: query.q }),
    });
  });

  providersExportRoute(router, context);

  router.get('/new', async (_req, res) => {
    await renderPage(res, 'admin/providers/form', { title: 'New provider', provider: undefined });
  });

  router.post('/', newForm, async (req, res) => {
    let provider: ProviderRow;
    try {
      provider = await createProvider(db, newForm.data(res), { actorId: currentAccount(res).id, now: now() });
    } catch (error) {
      if (error instanceof ValidationError) return renderForm(res, undefined, { values: formValues(req.body), errors: error.fields });
      throw error;
    }
    flash(req, 'success', `Provider ${provider.name} was added.`);
    res.redirect(`/admin/providers/${provider.id}`);
  });

  router.get('/:id', async (req, res) => {
    const provider = await loadProvider(req);
    const filters = { providerId: provider.id };
    const [dids, counted, audit] = await Promise.all([
      listDids(db, filters, { sort: 'number', direction: 'asc', limit: PER_PAGE, offset: 0 }),
      countDids(db, filters),
      listAuditTrail(db, ['provider'], provider.id, 50),
    ]);
    const names = await auditNames(db, audit);
    await renderPage(res, 'admin/providers/show', { title: provider.name, provider: presentProvider(provider), dids: dids.map(presentDid), didCount: counted.count, audit: audit.map((row) => presentAudit(row, names)) });
  });

  router.get('/:id/edit', async (req, res) => {
    const provider = await loadProvider(req);
    const values = Object.fromEntries(['name', 'contact_name', 'email', 'phone', 'notes'].map((key) => [key, String(provider[key as keyof typeof provider] ?? '')]));
    await renderPage(res, 'admin/providers/form', { title: `Edit ${provider.name}`, provider: presentProvider(provider), values });
  });

  router.post('/:id', editForm, async (req, res) => {
    const provider = await loadProvider(req);
    let saved: ProviderRow;
    try {
      saved = await editProvider(db, provider.id, editForm.data(res), { actorId: currentAccount(res).id, now: now() });
    } catch (error) {
      if (error instanceof ValidationError) return renderForm(res, provider, { values: formValues(req.body), errors: error.fields });
      throw error;
    }
    flash(req, 'success', `Provider ${saved.name} was saved.`);
    res.redirect(`/admin/providers/${provider.id}`);
  });

  return router;
}
