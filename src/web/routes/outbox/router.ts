// The admin's Outbox: every mail and webhook the platform sent or is sending, with what was sent
// and the delivery log, and "Retry" for a failed one. Mounted at /admin/outbox.
import { Router } from 'express';
import { countOutboxByStatus, listOutboxMessages } from '../../../db/queries/outbox.ts';
import { MAIL_EVENT_TYPES } from '../../../domain/mail-events.ts';
import { WEBHOOK_EVENT_TYPES } from '../../../domain/events.ts';
import { loadOutboxMessage, retryFailedMessage } from '../../../services/outbox-admin.ts';
import { filterState, idParam, validate } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { eventLabel, presentOutboxMessage, presentOutboxRow } from './presenter.ts';
import { outboxQuerySchema } from './schema.ts';
import { outboxExportRoute, outboxFiltersOf } from './export.ts';

const PAGE_SIZE = 50;
const EVENTS = [...new Set<string>([...MAIL_EVENT_TYPES, ...WEBHOOK_EVENT_TYPES])].sort();

export function outboxRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  const listQuery = validate(outboxQuerySchema, { from: 'query', fallback: { page: 1 } });

  router.get('/', listQuery, async (_req, res) => {
    const query = listQuery.data(res);
    const filters = outboxFiltersOf(query);
    const [{ rows, total }, counts] = await Promise.all([
      listOutboxMessages(db, filters, pageWindow(query.page, PAGE_SIZE)),
      countOutboxByStatus(db),
    ]);
    const { status, ...state } = filterState(listQuery.invalid(res), filters);
    await renderPage(res, 'admin/outbox/index', {
      title: 'Outbox', messages: rows.map(presentOutboxRow), counts, ...state,
      kept: !config.smtpUrl,
      events: EVENTS.map((value) => ({ value, label: eventLabel(value) })),
      pager: pageLinks('/admin/outbox', filters, total, query.page, PAGE_SIZE), exportHref: hrefWith('/admin/outbox/export.csv', filters),
    }, status);
  });

  outboxExportRoute(router, context);

  router.get('/:id', async (req, res) => {
    const { message, attempts } = await loadOutboxMessage(db, idParam(req, 'id', 'There is no such message'));
    await renderPage(res, 'admin/outbox/show', { title: `Message #${message.id}`, message: presentOutboxMessage(message, attempts), kept: !config.smtpUrl });
  });

  router.post('/:id/retry', async (req, res) => {
    const message = await retryFailedMessage(db, idParam(req, 'id', 'There is no such message'), now());
    flash(req, 'success', `Message #${message.id} to ${message.recipient} will be sent again in a moment.`);
    res.redirect(`/admin/outbox/${message.id}`);
  });

  return router;
}
