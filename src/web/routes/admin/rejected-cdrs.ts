// The admin's Rejected CDRs: every CDR that could not be stored as a call, with its reason and the
// record as it came, so none is lost silently.
import { Router } from 'express';
import { z } from 'zod';
import { countRejectedCdrs, findRejectedCdr, listRejectedCdrs } from '../../../db/repos/rejected-cdrs.ts';
import { NotFoundError } from '../../../errors.ts';
import { callFiltersOf } from '../../../services/call-lists.ts';
import { parseForm } from '../../middleware/validate.ts';
import { pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';

const PAGE_SIZE = 50;
const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-11-29').refine((t) => !Number.isNaN(Date.parse(`${t}T00:00:00Z`)), 'This is not a date');
const querySchema = z.object({
  from: z.preprocess(blankToUndefined, isoDate.optional()),
  to: z.preprocess(blankToUndefined, isoDate.optional()),
  source: z.preprocess(blankToUndefined, z.enum(['freeswitch', 'api'], { message: 'Choose FreeSWITCH or API' }).optional()),
  page: z.preprocess(blankToUndefined, z.coerce.number({ message: 'Not a page number' }).int().min(1).max(1_000_000).default(1)),
});

export function rejectedCdrsRouter({ db }: AppContext): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const parsed = parseForm(querySchema, req.query);
    const query = parsed.ok ? parsed.data : { page: 1 };
    const current = parsed.ok ? { from: parsed.data.from, to: parsed.data.to, source: parsed.data.source } : {};
    const dates = callFiltersOf(current);
    const filters = { from: dates.from, before: dates.before, source: current.source };
    const [rows, total] = await Promise.all([listRejectedCdrs(db, filters, pageWindow(query.page, PAGE_SIZE)), countRejectedCdrs(db, filters)]);
    await renderPage(
      res,
      'switches/rejected-cdrs',
      {
        title: 'Rejected CDRs', rows, values: parsed.ok ? current : req.query, fieldErrors: parsed.ok ? {} : parsed.errors,
        pager: pageLinks('/admin/rejected-cdrs', current, total, query.page, PAGE_SIZE),
      },
      parsed.ok ? 200 : 400,
    );
  });

  router.get('/:id', async (req, res, next) => {
    if (!/^\d{1,15}$/.test(req.params.id)) return next();
    const row = await findRejectedCdr(db, Number(req.params.id));
    if (!row) throw new NotFoundError('There is no such rejected CDR');
    let pretty = row.payload;
    try {
      pretty = JSON.stringify(JSON.parse(row.payload), null, 2);
    } catch {
      // Not JSON: shown as it came.
    }
    await renderPage(res, 'switches/rejected-cdr', { title: `Rejected CDR ${row.id}`, row, pretty });
  });

  return router;
}
