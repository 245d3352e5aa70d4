// The Calls pages, one router for the three roles: mounted under /admin/calls, /reseller/calls and
// /customer/calls, it scopes every query by the logged-in account (a foreign call id is a 404).
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { CallScope } from '../../db/repos/calls.ts';
import { loadCall, loadCalls, writeCallsCsv } from '../../services/call-lists.ts';
import { currentAccount } from '../middleware/auth.ts';
import { parseForm } from '../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../presenters/page-links.ts';
import { renderPage } from '../render.ts';
import type { AppContext } from '../context.ts';

export const CALLS_PAGE_SIZE = 50;

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-11-29')
  .refine((text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text), 'This is not a date');

const callsQuerySchema = z
  .object({
    from: z.preprocess(blankToUndefined, isoDate.optional()),
    to: z.preprocess(blankToUndefined, isoDate.optional()),
    number: z.preprocess(blankToUndefined, z.string().trim().regex(/^\+?[0-9 ()-]{1,20}$/, 'Digits of the number, like 415555 or +14155550100').optional()),
    page: z.preprocess(blankToUndefined, z.coerce.number({ message: 'Not a page number' }).int().min(1).max(1_000_000).default(1)),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'The end date is before the start date' });

function scopeOf(res: Response): CallScope {
  const account = currentAccount(res);
  return account.role === 'admin' ? { role: 'admin' } : { role: account.role, accountId: account.id };
}

export function callsRouter({ db, config }: AppContext): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const scope = scopeOf(res);
    const path = `${req.baseUrl}`;
    const parsed = parseForm(callsQuerySchema, req.query);
    const query = parsed.ok ? parsed.data : { page: 1 };
    const current = parsed.ok ? { from: parsed.data.from, to: parsed.data.to, number: parsed.data.number } : {};
    const data = await loadCalls(db, scope, current, pageWindow(query.page, CALLS_PAGE_SIZE), config.moneyDecimals);
    await renderPage(
      res,
      'calls/list',
      {
        title: 'Calls',
        path,
        role: scope.role,
        data,
        values: parsed.ok ? current : req.query,
        fieldErrors: parsed.ok ? {} : parsed.errors,
        exportHref: hrefWith(`${path}/export.csv`, current),
        pager: pageLinks(path, current, data.total, query.page, CALLS_PAGE_SIZE),
      },
      parsed.ok ? 200 : 400,
    );
  });

  router.get('/export.csv', async (req, res) => {
    const parsed = parseForm(callsQuerySchema, req.query);
    if (!parsed.ok) {
      res.status(400).type('text').send(Object.entries(parsed.errors).map(([field, message]) => `${field}: ${message}`).join('\n'));
      return;
    }
    res.type('text/csv; charset=utf-8');
    res.attachment('calls.csv');
    await writeCallsCsv(db, scopeOf(res), { from: parsed.data.from, to: parsed.data.to, number: parsed.data.number }, config.moneyDecimals, res);
  });

  router.get('/:id', async (req, res, next) => {
    if (!/^\d{1,15}$/.test(req.params.id)) return next();
    const scope = scopeOf(res);
    const detail = await loadCall(db, scope, Number(req.params.id), config.moneyDecimals);
    await renderPage(res, 'calls/show', { title: `Call to ${detail.call.number}`, role: scope.role, back: req.baseUrl, detail });
  });

  return router;
}
