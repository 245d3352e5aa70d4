// The Calls pages, one router for the three roles: mounted in each area, it scopes every query by
// the logged-in account (a foreign call id is a 404).
import { Router, type Response } from 'express';
import type { CallScope } from '../../../db/repos/calls.ts';
import { loadCall, loadCalls, writeCallsCsv } from '../../../services/call-lists.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { filterState, idParam, validate } from '../../middleware/validate.ts';
import { formatPhone } from '../../presenters/format.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { callsQuerySchema } from './schema.ts';

export const CALLS_PAGE_SIZE = 50;

function scopeOf(res: Response): CallScope {
  const role = areaRole(res);
  return role === 'admin' ? { role: 'admin' } : { role, accountId: currentAccount(res).id };
}

export function callsRouter({ db, config }: AppContext): Router {
  const router = Router();
  const listQuery = validate(callsQuerySchema, { from: 'query', fallback: { page: 1 } });
  const exportQuery = validate(callsQuerySchema, { from: 'query', answer: 'text' });

  router.get('/', listQuery, async (req, res) => {
    const scope = scopeOf(res);
    const path = req.baseUrl;
    const query = listQuery.data(res);
    const current = { from: query.from, to: query.to, number: query.number };
    const data = await loadCalls(db, scope, current, pageWindow(query.page, CALLS_PAGE_SIZE), config.moneyDecimals);
    const { status, ...state } = filterState(listQuery.invalid(res), current);
    await renderPage(res, 'calls/list', {
      title: 'Calls', path, role: scope.role, data, ...state,
      exportHref: hrefWith(`${path}/export.csv`, current),
      pager: pageLinks(path, current, data.total, query.page, CALLS_PAGE_SIZE),
    }, status);
  });

  router.get('/export.csv', exportQuery, async (_req, res) => {
    const query = exportQuery.data(res);
    res.type('text/csv; charset=utf-8');
    res.attachment('calls.csv');
    await writeCallsCsv(db, scopeOf(res), { from: query.from, to: query.to, number: query.number }, config.moneyDecimals, res);
  });

  router.get('/:id', async (req, res) => {
    const scope = scopeOf(res);
    const detail = await loadCall(db, scope, idParam(req, 'id', `There is no page at ${req.baseUrl}${req.path}`), config.moneyDecimals);
    await renderPage(res, 'calls/show', { title: `Call to ${formatPhone(detail.call.number)}`, role: scope.role, back: req.baseUrl, detail });
  });

  return router;
}
