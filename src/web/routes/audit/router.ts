// The admin's Audit log: every audited change (DIDs, accounts, providers, rate plans, switches,
// settings, money postings), newest first, with filters, pages and a CSV export of the filtered rows.
import { Router } from 'express';
import { auditFilterOptions, listAuditLog, type AuditFilters } from '../../../db/queries/audit-log.ts';
import { filterState, validate } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { exportAuditLog } from './export.ts';
import { actionLabel, entityLabel, presentAuditLogRow } from './presenter.ts';
import { auditQuerySchema, type AuditQuery } from './schema.ts';

export const AUDIT_PAGE_SIZE = 50;
const PATH = '/admin/audit';

const listQuery = validate(auditQuerySchema, { from: 'query', fallback: { page: 1 } });
const exportQuery = validate(auditQuerySchema, { from: 'query', answer: 'text' });

function filtersOf(query: AuditQuery): AuditFilters {
  return { actorId: query.actor, entityType: query.entity, action: query.action, from: query.from, to: query.to };
}

/** The filters as the query string keeps them. */
function currentOf(query: AuditQuery) {
  return { actor: query.actor, entity: query.entity, action: query.action, from: query.from, to: query.to };
}

export function auditRouter(context: AppContext): Router {
  const { db } = context;
  const router = Router();

  router.get('/', listQuery, async (_req, res) => {
    const query = listQuery.data(res);
    const current = currentOf(query);
    const [{ rows, total }, options] = await Promise.all([
      listAuditLog(db, filtersOf(query), pageWindow(query.page, AUDIT_PAGE_SIZE)),
      auditFilterOptions(db),
    ]);
    const { status, ...state } = filterState(listQuery.invalid(res), current);
    await renderPage(res, 'admin/audit', {
      title: 'Audit log',
      path: PATH,
      entries: rows.map(presentAuditLogRow),
      actors: options.actors.map((a) => ({ value: String(a.id), label: a.name })),
      entityTypes: options.entityTypes.map((type) => ({ value: type, label: entityLabel(type) })),
      actions: options.actions.map((action) => ({ value: action, label: actionLabel(action) })),
      ...state,
      exportHref: hrefWith(`${PATH}/export.csv`, current),
      pager: pageLinks(PATH, current, total, query.page, AUDIT_PAGE_SIZE),
    }, status);
  });

  router.get('/export.csv', exportQuery, async (_req, res) => {
    await exportAuditLog(res, context, filtersOf(exportQuery.data(res)));
  });

  return router;
}
