// The admin's pages. The router is mounted behind requireRole('admin') once, in app.ts.
import { Router } from 'express';
import { loadAdminDashboard } from '../../../services/dashboards.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';

export function adminRouter({ db, now }: AppContext): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const dashboard = await loadAdminDashboard(db, now());
    await renderPage(res, 'admin/dashboard', { title: 'Dashboard', dashboard });
  });

  return router;
}
