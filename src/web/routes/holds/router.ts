// "My holds" for resellers and customers (mounted at /<role>/holds): hold a number from Buy DIDs
// for 10 minutes (nobody else is offered it or can buy it meanwhile), see the holds, release one.
import { Router } from 'express';
import { ConflictError } from '../../../errors.ts';
import { holdNumbers, loadHolds, releaseHold } from '../../../services/number-holds.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { idParam, validate } from '../../middleware/validate.ts';
import { formatPhone } from '../../presenters/format.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { presentHold } from './presenter.ts';
import { holdFormSchema } from './schema.ts';

export const PAGE_HOLD_MINUTES = 10;

export function holdsRouter({ db, config, now }: AppContext): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const base = `/${areaRole(res)}`;
    const holds = await loadHolds(db, currentAccount(res).id, { limit: 50, activeOnly: true }, now());
    await renderPage(res, 'purchases/holds', { title: 'My holds', holds: holds.map((hold) => presentHold(hold, base)), base });
  });

  const holdForm = validate(holdFormSchema, {
    onInvalid: (req, res, { errors }) => {
      flash(req, 'error', Object.values(errors)[0] ?? 'Choose a number');
      res.redirect(303, `/${areaRole(res)}/buy`);
    },
  });

  router.post('/', holdForm, async (req, res) => {
    const { number } = holdForm.data(res);
    try {
      await holdNumbers(db, { accountId: currentAccount(res).id, numbers: [number], minutes: PAGE_HOLD_MINUTES, maxMinutes: config.apiHoldMaxMinutes, now: now() });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, 'error', `${formatPhone(number)} cannot be held: it was just sold or someone else holds it.`);
      return res.redirect(303, `/${areaRole(res)}/buy`);
    }
    flash(req, 'success', `${formatPhone(number)} is held for you for ${PAGE_HOLD_MINUTES} minutes: nobody else can buy it meanwhile.`);
    res.redirect(303, `/${areaRole(res)}/holds`);
  });

  router.post('/:id/release', async (req, res) => {
    const hold = await releaseHold(db, currentAccount(res).id, idParam(req, 'id', 'No such hold'), now());
    flash(req, 'success', `Released ${hold.numbers.map(formatPhone).join(', ')}: back on offer to everyone.`);
    res.redirect(303, `/${areaRole(res)}/holds`);
  });

  return router;
}
