// The admin's list of stored destinations that no longer validate: calls to those numbers are
// refused (no_destination) until their owners set a destination again.
import { Router } from 'express';
import { findInvalidDestinations } from '../../../services/invalid-destinations.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';

// Rows shown; all are counted. There should be few: new destinations cannot be saved invalid.
const SHOWN = 500;

export function invalidDestinationsRouter({ db, config }: AppContext): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const { rows, total, checked } = await findInvalidDestinations(db, config, { limit: SHOWN });
    await renderPage(res, 'admin/invalid-destinations', { title: 'Invalid destinations', rows, total, checked });
  });

  return router;
}
