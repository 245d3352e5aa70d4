// The admin's Expired reservations: credit reserved for calls whose CDR never came, released when
// the call could no longer be running (ring time + allowance + margin). Each is a call a switch
// authorised but never reported: worth a look at that switch.
import { Router } from 'express';
import { z } from 'zod';
import { countExpiredReservations, listExpiredReservations } from '../../../db/repos/call-slots.ts';
import { parseForm } from '../../middleware/validate.ts';
import { pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';

const PAGE_SIZE = 50;
const querySchema = z.object({
  page: z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number({ message: 'Not a page number' }).int().min(1).max(1_000_000).default(1)),
});

export function expiredReservationsRouter({ db }: AppContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const parsed = parseForm(querySchema, req.query);
    const page = parsed.ok ? parsed.data.page : 1;
    const [rows, total] = await Promise.all([listExpiredReservations(db, pageWindow(page, PAGE_SIZE)), countExpiredReservations(db)]);
    await renderPage(
      res,
      'admin/expired-reservations',
      { title: 'Expired reservations', rows, pager: pageLinks('/admin/expired-reservations', {}, total, page, PAGE_SIZE) },
      parsed.ok ? 200 : 400,
    );
  });
  return router;
}
