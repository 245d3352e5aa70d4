// The admin's DID inventory pages: list with filters and CSV export, create and edit with the
// cost preview, each number's page (status, delete or archive), and the bulk CSV import.
import { randomUUID } from 'node:crypto';
import { finished } from 'node:stream/promises';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { previewCosts } from '../../../domain/cost-preview.ts';
import { csvColumns, csvWriter } from '../../../domain/csv-cell.ts';
import { DID_FIELDS, countryOptions, formatDidNumber, type DidField } from '../../../domain/did-terms.ts';
import type { DidSort } from '../../../db/repos/dids.ts';
import { findDid } from '../../../db/repos/dids.ts';
import { listProviderNames } from '../../../db/repos/providers.ts';
import { ConflictError, InsufficientFundsError, NotFoundError, ValidationError } from '../../../errors.ts';
import { listAssignableAccounts } from '../../../db/repos/dids.ts';
import { assignDid, quotePurchase, reclaimDid } from '../../../services/purchases.ts';
import { pricingOf } from '../buy.ts';
import {
  MAX_IMPORT_BYTES, commitImport, findImport, importDefaultsOf, previewImport, storeImport, type ImportPreview,
} from '../../../services/did-import.ts';
import { exportDids, sampleCsv } from '../../../services/did-export.ts';
import {
  createDid, listDidPage, loadDidDetail, removeDid, removalOf, restoreDid, setDidStatus, updateDidTerms,
} from '../../../services/inventory.ts';
import { countDidSubscriptions } from '../../../db/repos/dids.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { findRatePlan } from '../../../db/repos/rate-plans.ts';
import { listDidFormPlans, resolveDidFormPlan } from '../../../services/rate-plans.ts';
import { formValues } from '../../middleware/validate.ts';
import { presentAudit, presentDid } from '../../presenters/dids.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { didFilterSchema, didFiltersOf, optional } from './did-filters.ts';

/** The list's query string: the shared filters plus sorting and paging. */
const listQuerySchema = didFilterSchema.extend({
  sort: optional(z.enum(['number', 'country', 'monthly_fee', 'created'])),
  dir: optional(z.enum(['asc', 'desc'])),
  page: optional(z.coerce.number().int().min(1).max(1_000_000)),
  per_page: optional(z.coerce.number().int().refine((value) => [25, 50, 100].includes(value))),
});

type ListQuery = z.infer<typeof listQuerySchema>;


/** The query string of the list with some values changed: for sort links and pages. */
function listHref(query: ListQuery, changes: Record<string, string | number | undefined>, path = '/admin/dids'): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...changes })) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

const idSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

function idParam(req: Request): number {
  const parsed = idSchema.safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError('There is no such DID');
  return parsed.data;
}

const DEFAULT_FORM_VALUES: Record<string, string> = {
  category: 'did', status: 'active', buy_cost: '0', connection_cost: '0', grace_seconds: '0', cost_per_minute: '0',
  initial_increment: '60', increment: '60', setup_fee: '0', monthly_fee: '0', call_timeout: '30', billing_type: 'recurring',
  billing_days: '30', concurrent_calls: '0',
};

function fieldInfo(): Record<string, { label: string; help: string }> {
  return Object.fromEntries(DID_FIELDS.map((field) => [field.name, { label: field.label, help: field.help }]));
}

export function didsRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  const previewOptions = { decimals: config.moneyDecimals, currency: config.currency };
  const countries = countryOptions();

  async function renderForm(
    res: Response,
    options: {
      mode: 'new' | 'edit'; values: Record<string, string>; errors?: Record<string, string>; didId?: number; number?: string; liveSubscriptions?: number;
      currentPlanId?: number | null | undefined;
    },
    status = 200,
  ) {
    const providers = await listProviderNames(db);
    await renderPage(
      res,
      'admin/dids/form',
      {
        title: options.mode === 'new' ? 'Create DID' : `Edit ${formatDidNumber(options.number ?? '')}`,
        mode: options.mode,
        didId: options.didId,
        number: options.number ? formatDidNumber(options.number) : '',
        liveSubscriptions: options.liveSubscriptions ?? 0,
        values: options.values,
        fieldErrors: options.errors ?? {},
        fields: fieldInfo(),
        providers,
        countries,
        preview: previewCosts(options.values, previewOptions),
        previewOptions,
        ratePlans: await listDidFormPlans(db, now(), options.currentPlanId),
      },
      status,
    );
  }

  /** A chosen rate plan's terms replace the typed ones: the form shows them read-only. */
  async function withRatePlan(values: Record<string, string>, currentPlanId?: number | null) {
    const plan = await resolveDidFormPlan(db, values.rate_plan, now(), currentPlanId);
    if (!plan.ok) return { values, planId: undefined, error: plan.error };
    const terms = plan.terms ? Object.fromEntries(Object.entries(plan.terms).map(([key, value]) => [key, String(value)])) : {};
    return { values: { ...values, ...terms }, planId: plan.planId, error: undefined };
  }

  router.get('/', async (req, res) => {
    const query = listQuerySchema.parse(req.query);
    const sort: DidSort = query.sort ?? 'number';
    const direction = query.dir ?? 'asc';
    const page = await listDidPage(db, { filters: didFiltersOf(query), sort, direction, page: query.page ?? 1, perPage: query.per_page ?? 50 });
    const providers = await listProviderNames(db);
    await renderPage(res, 'admin/dids/index', {
      title: 'DIDs',
      query,
      values: Object.fromEntries(Object.entries(query).map(([key, value]) => [key, value === undefined ? '' : String(value)])),
      rows: page.rows.map(presentDid),
      total: page.total,
      totalExact: page.totalExact,
      page: page.page,
      pages: page.pages,
      perPage: page.perPage,
      sort,
      direction,
      providers,
      countries,
      href: (changes: Record<string, string | number | undefined>) => listHref(query, changes),
      exportHref: listHref({ ...query, page: undefined, per_page: undefined, sort: undefined, dir: undefined }, {}, '/admin/dids/export.csv'),
    });
  });

  router.get('/export.csv', async (req, res) => {
    const query = listQuerySchema.parse(req.query);
    const stamp = now().toISOString().slice(0, 10);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="dids-${stamp}.csv"`);
    await exportDids(db, didFiltersOf(query), res);
  });

  router.get('/new', async (_req, res) => {
    await renderForm(res, { mode: 'new', values: { ...DEFAULT_FORM_VALUES } });
  });

  router.post('/', async (req, res) => {
    const admin = currentAccount(res);
    const values = formValues(req.body);
    if (values.category !== undefined && values.category !== 'did') {
      return renderForm(res, { mode: 'new', values, errors: { category: 'DID is the only product category on sale' } }, 400);
    }
    const planned = await withRatePlan(values);
    if (planned.error) return renderForm(res, { mode: 'new', values, errors: { rate_plan: planned.error } }, 400);
    const result = await createDid(db, planned.values, { actorId: admin.id, now: now(), ip: req.ip, ratePlanId: planned.planId });
    if (!result.ok) return renderForm(res, { mode: 'new', values: planned.values, errors: result.errors }, 400);
    flash(req, 'success', `${formatDidNumber(result.did.number)} was added to the inventory.`);
    res.redirect(`/admin/dids/${result.did.id}`);
  });

  // ---- Bulk import --------------------------------------------------------------------------

  router.get('/import', async (_req, res) => {
    await renderPage(res, 'admin/dids/import', {
      title: 'Import DIDs',
      providers: await listProviderNames(db),
      countries,
      fields: DID_FIELDS,
    });
  });

  router.get('/import/sample.csv', (_req, res) => {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="dids-sample.csv"');
    res.send(sampleCsv());
  });

  // The page's script sends the file itself as the body (CSV), with the CSRF token in a header.
  router.post(
    '/import',
    express.text({ type: () => true, limit: MAX_IMPORT_BYTES }),
    async (req, res) => {
      const admin = currentAccount(res);
      const content = typeof req.body === 'string' ? req.body : '';
      const param = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).trim() : '');
      try {
        if (content.trim() === '') throw new ValidationError('The file is empty', { file: 'Choose a CSV file with a header row' });
        // A NUL byte cannot be stored as text; it is also what a UTF-16 file looks like read as UTF-8.
        if (content.includes('\u0000')) throw new ValidationError('Not a UTF-8 text file', { file: 'The file holds NUL bytes: save it as CSV in UTF-8' });
        const provider = param('provider');
        const providerId = provider === '' ? undefined : Number(provider);
        if (providerId !== undefined && !Number.isSafeInteger(providerId)) throw new ValidationError('Unknown provider', { provider: 'Choose a provider from the list' });
        const id = await storeImport(db, {
          actorId: admin.id, filename: param('filename'), content,
          defaults: { providerId, country: param('country') || undefined }, now: now(),
        });
        res.status(201).json({ location: `/admin/dids/import/${id}` });
      } catch (error) {
        if (error instanceof ValidationError) {
          res.status(400).json({ error: Object.values(error.fields)[0] ?? error.message, fields: error.fields });
          return;
        }
        throw error;
      }
    },
  );

  async function loadImport(req: Request) {
    const parsed = idSchema.safeParse(req.params.importId);
    if (!parsed.success) throw new NotFoundError('There is no such import');
    return findImport(db, parsed.data);
  }

  router.get('/import/:importId', async (req, res) => {
    const upload = await loadImport(req);
    let preview: ImportPreview | undefined;
    let fileError: string | undefined;
    if (!upload.committed_at) {
      try {
        preview = await previewImport(db, upload.content, importDefaultsOf(upload));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        fileError = Object.values(error.fields)[0] ?? error.message;
      }
    }
    const providers = await listProviderNames(db);
    await renderPage(res, 'admin/dids/import-preview', {
      title: `Import ${upload.filename}`,
      upload,
      preview,
      fileError,
      shownInvalid: preview?.invalid.slice(0, 500) ?? [],
      defaultProvider: providers.find((provider) => provider.id === upload.default_provider_id)?.name,
    });
  });

  router.get('/import/:importId/errors.csv', async (req, res) => {
    const upload = await loadImport(req);
    const preview = upload.committed_at ? undefined : await previewImport(db, upload.content, importDefaultsOf(upload));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="import-${upload.id}-invalid-rows.csv"`);
    // The number is as the file had it: text, neutralised like any other cell.
    const csv = csvWriter(csvColumns(['line', 'number', 'reasons'], ['line']));
    csv.pipe(res);
    for (const row of preview?.invalid ?? []) csv.write([row.line, row.number, row.reasons.join('; ')]);
    csv.end();
    await finished(res);
  });

  router.post('/import/:importId/commit', async (req, res) => {
    const admin = currentAccount(res);
    const upload = await loadImport(req);
    const result = await commitImport(db, upload.id, { actorId: admin.id, now: now() });
    flash(req, 'success', `Imported ${result.imported.toLocaleString('en-US')} numbers from ${upload.filename}${result.invalid > 0 ? `; ${result.invalid.toLocaleString('en-US')} invalid rows were left out` : ''}.`);
    res.redirect('/admin/dids?sort=created&dir=desc');
  });

  // ---- One number ---------------------------------------------------------------------------

  router.get('/:id', async (req, res) => {
    const detail = await loadDidDetail(db, idParam(req));
    const did = presentDid(detail.did);
    await renderPage(res, 'admin/dids/show', {
      title: did.display_number,
      did,
      fields: fieldInfo(),
      subscriptions: detail.subscriptions,
      audit: detail.audit.map(presentAudit),
      removal: detail.removal,
      preview: previewCosts(detail.did, previewOptions),
      previewOptions,
      canAssign: true,
      ratePlan: detail.did.rate_plan_id ? await findRatePlan(db, null, detail.did.rate_plan_id) : undefined,
    });
  });

  router.get('/:id/edit', async (req, res) => {
    const id = idParam(req);
    const did = await findDid(db, id);
    if (!did) throw new NotFoundError('There is no such DID');
    const values: Record<string, string> = { category: 'did', provider: did.provider_id === null ? '' : String(did.provider_id) };
    for (const field of DID_FIELDS) {
      if (field.name === 'provider') continue;
      const value = did[field.name as Exclude<DidField, 'provider'>];
      values[field.name] = value === null || value === undefined ? '' : String(value);
    }
    values.rate_plan = did.rate_plan_id ? String(did.rate_plan_id) : '';
    const live = await liveSubscriptions(id);
    await renderForm(res, { mode: 'edit', values, didId: id, number: did.number, liveSubscriptions: live, currentPlanId: did.rate_plan_id });
  });

  async function liveSubscriptions(productId: number): Promise<number> {
    return countDidSubscriptions(db, productId, { live: true });
  }

  router.post('/:id', async (req, res) => {
    const admin = currentAccount(res);
    const id = idParam(req);
    const currentPlanId = (await findDid(db, id))?.rate_plan_id;
    const planned = await withRatePlan(formValues(req.body), currentPlanId);
    const result = planned.error
      ? { ok: false as const, errors: { rate_plan: planned.error } }
      : await updateDidTerms(db, id, planned.values, { actorId: admin.id, now: now(), ip: req.ip, ratePlanId: planned.planId });
    const values = planned.values;
    if (!result.ok) {
      const did = await findDid(db, id);
      return renderForm(res, { mode: 'edit', values, errors: result.errors, didId: id, number: did?.number, liveSubscriptions: await liveSubscriptions(id), currentPlanId }, 400);
    }
    flash(req, 'success', 'The new terms are saved. They apply to new purchases; current subscriptions keep their locked price.');
    res.redirect(`/admin/dids/${id}`);
  });

  router.post('/:id/status', async (req, res) => {
    const admin = currentAccount(res);
    const id = idParam(req);
    const status = z.enum(['active', 'inactive']).safeParse((req.body as Record<string, unknown>).status);
    if (!status.success) throw new ValidationError('Choose active or inactive');
    const did = await setDidStatus(db, id, status.data, { actorId: admin.id, now: now(), ip: req.ip });
    flash(req, 'success', status.data === 'active'
      ? `${formatDidNumber(did.number)} is active: it can be sold and its calls are routed.`
      : `${formatDidNumber(did.number)} is inactive: it is neither sold nor routed.`);
    res.redirect(`/admin/dids/${id}`);
  });

  router.get('/:id/remove', async (req, res) => {
    const id = idParam(req);
    const did = await findDid(db, id);
    if (!did) throw new NotFoundError('There is no such DID');
    await renderPage(res, 'admin/dids/remove', {
      title: `Remove ${formatDidNumber(did.number)}`,
      did: presentDid(did),
      removal: await removalOf(db, id),
      subscriptionCount: await countDidSubscriptions(db, id),
    });
  });

  router.post('/:id/remove', async (req, res) => {
    const admin = currentAccount(res);
    const id = idParam(req);
    const did = await findDid(db, id);
    if (!did) throw new NotFoundError('There is no such DID');
    const outcome = await removeDid(db, id, { actorId: admin.id, now: now(), ip: req.ip });
    if (outcome === 'deleted') {
      flash(req, 'success', `${formatDidNumber(did.number)} was deleted.`);
      return res.redirect('/admin/dids');
    }
    flash(req, 'success', `${formatDidNumber(did.number)} was archived: it was sold before, so its history is kept.`);
    res.redirect(`/admin/dids/${id}`);
  });

  router.post('/:id/restore', async (req, res) => {
    const admin = currentAccount(res);
    const id = idParam(req);
    const did = await restoreDid(db, id, { actorId: admin.id, now: now(), ip: req.ip });
    flash(req, 'success', `${formatDidNumber(did.number)} is back in the list.`);
    res.redirect(`/admin/dids/${id}`);
  });

  // ---- Assign and reclaim (through the purchases service) -----------------------------------

  const assignSchema = z.object({
    account: z.coerce.number().int().positive('Choose the account'),
    charge: z.enum(['yes', 'no'], 'Choose whether to charge them'),
  });

  async function renderAssignForm(res: Response, id: number, values: Record<string, string>, errors: Record<string, string> = {}, status = 200) {
    const did = await findDid(db, id);
    if (!did) throw new NotFoundError('There is no such DID');
    const accounts = await listAssignableAccounts(db);
    await renderPage(res, 'admin/dids/assign', { title: `Assign ${formatDidNumber(did.number)}`, did: presentDid(did), accounts, values, fieldErrors: errors }, status);
  }

  router.get('/:id/assign', async (req, res) => {
    await renderAssignForm(res, idParam(req), { charge: 'yes' });
  });

  // The confirmation says exactly what will be charged, or that nothing will be.
  router.get('/:id/assign/confirm', async (req, res) => {
    const id = idParam(req);
    const form = assignSchema.safeParse(req.query);
    if (!form.success) {
      const errors: Record<string, string> = {};
      for (const issue of form.error.issues) errors[String(issue.path[0])] ??= issue.message;
      return renderAssignForm(res, id, formValues(req.query), errors, 400);
    }
    let quote;
    try {
      quote = await quotePurchase(db, { buyerId: form.data.account, productId: id, now: now() });
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof ValidationError) {
        return renderAssignForm(res, id, formValues(req.query), { account: `${error.message} Only numbers in stock can be assigned, to resellers and direct customers.` }, 400);
      }
      throw error;
    }
    await renderPage(res, 'admin/dids/assign-confirm', {
      title: `Assign ${formatDidNumber(quote.product.number)}`,
      quote,
      did: { id, display_number: formatDidNumber(quote.product.number) },
      charge: form.data.charge === 'yes',
      purchaseKey: randomUUID(),
    });
  });

  router.post('/:id/assign', async (req, res) => {
    const admin = currentAccount(res);
    const id = idParam(req);
    const body = req.body as Record<string, unknown>;
    const form = assignSchema.safeParse(body);
    if (!form.success) return renderAssignForm(res, id, formValues(body), { account: 'Choose the account and whether to charge it' }, 400);
    try {
      const result = await assignDid(db, {
        accountId: form.data.account, productId: id, idempotencyKey: String(body.purchase_key ?? ''), now: now(), actorId: admin.id,
        charge: form.data.charge === 'yes', pricing: pricingOf(context),
      });
      const charged = result.entries.length === 0 ? 'nothing was charged' : `charged ${result.entries.map((e) => e.amount.replace(/^-/, '')).join(' + ')}`;
      flash(req, result.replayed ? 'info' : 'success', result.replayed
        ? `${formatDidNumber(result.product.number)} had already been assigned with this form.`
        : `${formatDidNumber(result.product.number)} is assigned; ${charged}.`);
    } catch (error) {
      if (error instanceof InsufficientFundsError || error instanceof ConflictError || error instanceof NotFoundError || error instanceof ValidationError) {
        flash(req, 'error', error.message);
      } else {
        throw error;
      }
    }
    res.redirect(303, `/admin/dids/${id}`);
  });

  router.get('/:id/reclaim', async (req, res) => {
    const id = idParam(req);
    const detail = await loadDidDetail(db, id);
    await renderPage(res, 'admin/dids/reclaim', {
      title: `Reclaim ${formatDidNumber(detail.did.number)}`,
      did: presentDid(detail.did),
      live: detail.subscriptions.filter((s) => s.status !== 'ended'),
    });
  });

  router.post('/:id/reclaim', async (req, res) => {
    const admin = currentAccount(res);
    const id = idParam(req);
    const result = await reclaimDid(db, { productId: id, now: now(), actorId: admin.id });
    flash(req, 'success', `${formatDidNumber(result.product.number)} is back in stock; ${result.endedSubscriptionIds.length} ${result.endedSubscriptionIds.length === 1 ? 'subscription' : 'subscriptions'} ended, with no refund.`);
    res.redirect(303, `/admin/dids/${id}`);
  });

  return router;
}
