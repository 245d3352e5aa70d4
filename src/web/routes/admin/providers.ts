// The admin's providers: the carriers its numbers come from, and each one's numbers.
import { Router, type Request } from 'express';
import { z } from 'zod';
import { findProvider, countProviders, listProviders } from '../../../db/repos/providers.ts';
import { listDids, countDids } from '../../../db/repos/dids.ts';
import { listAuditTrail } from '../../../db/repos/dids.ts';
import { NotFoundError } from '../../../errors.ts';
import { createProvider, editProvider, providerSchema } from '../../../services/providers.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { formValues, parseForm } from '../../middleware/validate.ts';
import { presentAudit, presentDid } from '../../presenters/dids.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';

const PER_PAGE = 50;
const listQuerySchema = z.object({
  q: z.string().trim().max(120).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

function providerId(req: Request): number {
  const parsed = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError('There is no such provider');
  return parsed.data;
}

export function providersRouter({ db, now }: AppContext): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const query = listQuerySchema.parse(req.query);
    const page = query.page ?? 1;
    const [providers, total] = await Promise.all([
      listProviders(db, { q: query.q, limit: PER_PAGE, offset: (page - 1) * PER_PAGE }),
      countProviders(db, query.q),
    ]);
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    const href = (target: number) => `/admin/providers?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), page: String(target) }).toString()}`;
    await renderPage(res, 'admin/providers/index', { title: 'Providers', providers, total, page, pages, href, values: { q: query.q ?? '' } });
  });

  router.get('/new', async (_req, res) => {
    await renderPage(res, 'admin/providers/form', { title: 'New provider', provider: undefined });
  });

  router.post('/', async (req, res) => {
    const admin = currentAccount(res);
    const values = formValues(req.body);
    const form = parseForm(providerSchema, req.body);
    const result = form.ok ? await createProvider(db, form.data, { actorId: admin.id, now: now() }) : form;
    if (!result.ok) return renderPage(res, 'admin/providers/form', { title: 'New provider', provider: undefined, values, fieldErrors: result.errors }, 400);
    flash(req, 'success', `Provider ${result.provider.name} was added.`);
    res.redirect(`/admin/providers/${result.provider.id}`);
  });

  router.get('/:id', async (req, res) => {
    const id = providerId(req);
    const provider = await findProvider(db, id);
    if (!provider) throw new NotFoundError('There is no such provider');
    const filters = { providerId: id };
    const [dids, counted, audit] = await Promise.all([
      listDids(db, filters, { sort: 'number', direction: 'asc', limit: PER_PAGE, offset: 0 }),
      countDids(db, filters),
      listAuditTrail(db, ['provider'], id, 50),
    ]);
    await renderPage(res, 'admin/providers/show', { title: provider.name, provider, dids: dids.map(presentDid), didCount: counted.count, audit: audit.map(presentAudit) });
  });

  router.get('/:id/edit', async (req, res) => {
    const provider = await findProvider(db, providerId(req));
    if (!provider) throw new NotFoundError('There is no such provider');
    const values = Object.fromEntries(['name', 'contact_name', 'email', 'phone', 'notes'].map((key) => [key, String(provider[key as keyof typeof provider] ?? '')]));
    await renderPage(res, 'admin/providers/form', { title: `Edit ${provider.name}`, provider, values });
  });

  router.post('/:id', async (req, res) => {
    const admin = currentAccount(res);
    const id = providerId(req);
    const provider = await findProvider(db, id);
    if (!provider) throw new NotFoundError('There is no such provider');
    const values = formValues(req.body);
    const form = parseForm(providerSchema, req.body);
    const result = form.ok ? await editProvider(db, id, form.data, { actorId: admin.id, now: now() }) : form;
    if (!result.ok) return renderPage(res, 'admin/providers/form', { title: `Edit ${provider.name}`, provider, values, fieldErrors: result.errors }, 400);
    flash(req, 'success', `Provider ${result.provider.name} was saved.`);
    res.redirect(`/admin/providers/${id}`);
  });

  return router;
}
