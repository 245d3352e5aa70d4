// The admin's Expired reservations: credit reserved for calls whose CDR never came, released when
// the call could no longer be running (ring time + allowance + margin). Each is a call a switch
// authorised but never reported: worth a look at that switch.
import { Router } from 'express';
import { countExpiredReservations, listExpiredReservations } from '../../../db/repos/call-slots.ts';
import { validate } from '../../middleware/validate.ts';
import { pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { querySchema } from './schema.ts';
import { expiredExportRoute } from './export.ts';

const PAGE_SIZE = 50;

export function expiredReservationsRouter(context: AppContext): Router {
  const { db } = context;
  const router = Router();
  expiredExportRoute(router, context);
  const listQuery = validate(querySchema, { from: 'query', fallback: { page: 1 } });
  router.get('/', listQuery, async (_req, res) => {
    const { page } = listQuery.data(res);
    const [rows, total] = await Promise.all([listExpiredReservations(db, pageWindow(page, PAGE_SIZE)), countExpiredReservations(db)]);
    await renderPage(
      res,
      'admin/expired-reservations',
      { title: 'Expired reservations', rows, pager: pageLinks('/admin/expired-reservations', {}, total, page, PAGE_SIZE) },
      listQuery.invalid(res) ? 400 : 200,
    );
  });
  return router;
}
