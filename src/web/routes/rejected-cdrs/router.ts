// The admin's Rejected CDRs: every CDR that could not be stored as a call, with its reason and the
// record as it came, so none is lost silently. Mounted at /admin/rejected-cdrs.
import { Router } from 'express';
import { countRejectedCdrs, findRejectedCdr, listRejectedCdrs } from '../../../db/repos/rejected-cdrs.ts';
import { NotFoundError } from '../../../errors.ts';
import { filterState, idParam, validate } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { querySchema } from './schema.ts';
import { rejectedExportRoute, rejectedFiltersOf } from './export.ts';

const PAGE_SIZE = 50;
export function rejectedCdrsRouter(context: AppContext): Router {
  const { db } = context;
  const router = Router();

  const listQuery = validate(querySchema, { from: 'query', fallback: { page: 1 } });

  router.get('/', listQuery, async (_req, res) => {
    const query = listQuery.data(res);
    const current = { from: query.from, to: query.to, source: query.source };
    const filters = rejectedFiltersOf(current);
    const [rows, total] = await Promise.all([listRejectedCdrs(db, filters, pageWindow(query.page, PAGE_SIZE)), countRejectedCdrs(db, filters)]);
    const { status, ...state } = filterState(listQuery.invalid(res), current);
    await renderPage(res, 'switches/rejected-cdrs', {
      title: 'Rejected CDRs', rows, ...state,
      pager: pageLinks('/admin/rejected-cdrs', current, total, query.page, PAGE_SIZE), exportHref: hrefWith('/admin/rejected-cdrs/export.csv', current),
    }, status);
  });

  rejectedExportRoute(router, context);

  router.get('/:id', async (req, res) => {
    const row = await findRejectedCdr(db, idParam(req, 'id', 'There is no such rejected CDR'));
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
