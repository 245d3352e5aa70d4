// The admin's Switches page: register a switch (its token is shown once), change its allowed
// addresses, disable or enable it, give it a new token. Mounted at /admin/switches.
import { Router, type Request } from 'express';
import { listSwitches } from '../../../db/repos/switches.ts';
import { ValidationError } from '../../../errors.ts';
import { changeSwitch, registerSwitch } from '../../../services/switches.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { formValues, idParam, validate } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { actionSchema, switchSchema } from './schema.ts';

export function switchesRouter({ db, now }: AppContext): Router {
  const router = Router();

  const showList = async (res: Parameters<typeof renderPage>[0], extra: Record<string, unknown> = {}, status = 200) => {
    const switches = await listSwitches(db);
    await renderPage(res, 'switches/list', { title: 'Switches', switches, ...extra }, status);
  };

  router.get('/', async (_req, res) => {
    await showList(res);
  });

  const switchForm = validate(switchSchema, { onInvalid: (_req, res, { values, errors }) => showList(res, { values, fieldErrors: errors }, 400) });
  const switchId = (req: Request) => idParam(req, 'id', `There is no page at ${req.baseUrl}${req.path}`);
  // An action that is none of the list's buttons: the error page (400), once the switch's id is one.
  const actionForm = validate(actionSchema, {
    onInvalid: (req) => {
      switchId(req);
      throw new ValidationError('Unknown action');
    },
  });

  router.post('/', switchForm, async (req, res) => {
    const form = switchForm.data(res);
    try {
      const { row, token } = await registerSwitch(db, { name: form.name, allowedAddresses: form.allowed_addresses }, currentAccount(res).id, now());
      // The token is shown on this response only: it is not stored, so it cannot be shown again.
      res.set('Cache-Control', 'no-store');
      await showList(res, { created: { name: row.name, token } }, 201);
    } catch (error) {
      if (error instanceof ValidationError) {
        await showList(res, { values: formValues(req.body), fieldErrors: error.fields }, 400);
        return;
      }
      throw error;
    }
  });

  router.post('/:id', actionForm, async (req, res) => {
    const id = switchId(req);
    const actor = currentAccount(res).id;
    const action = actionForm.data(res);
    if (action.action === 'rotate') {
      const { row, token } = await changeSwitch(db, id, { rotateToken: true }, actor, now());
      res.set('Cache-Control', 'no-store');
      await showList(res, { created: { name: row.name, token, rotated: true } });
      return;
    }
    try {
      if (action.action === 'addresses') await changeSwitch(db, id, { allowedAddresses: action.allowed_addresses }, actor, now());
      else await changeSwitch(db, id, { status: action.action === 'disable' ? 'disabled' : 'active' }, actor, now());
    } catch (error) {
      if (error instanceof ValidationError) {
        flash(req, 'error', error.fields.allowed_addresses ?? error.message);
        res.redirect('/admin/switches');
        return;
      }
      throw error;
    }
    flash(req, 'success', action.action === 'addresses' ? 'Allowed addresses saved.' : `Switch ${action.action === 'disable' ? 'disabled' : 'enabled'}.`);
    res.redirect('/admin/switches');
  });

  return router;
}
