// The admin's Switches page: register a switch (its token is shown once), change its allowed
// addresses, disable or enable it, give it a new token.
import { Router } from 'express';
import { z } from 'zod';
import { listSwitches } from '../../../db/repos/switches.ts';
import { ValidationError } from '../../../errors.ts';
import { changeSwitch, registerSwitch } from '../../../services/switches.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { formValues, parseForm } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';

const switchSchema = z.object({
  name: z.string().trim().min(1, 'Give the switch a name').max(100, 'Use at most 100 characters'),
  allowed_addresses: z.string().max(5000, 'Too many addresses').default(''),
});

const actionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('disable') }),
  z.object({ action: z.literal('enable') }),
  z.object({ action: z.literal('rotate') }),
  z.object({ action: z.literal('addresses'), allowed_addresses: z.string().max(5000).default('') }),
]);

export function switchesRouter({ db, now }: AppContext): Router {
  const router = Router();

  const showList = async (res: Parameters<typeof renderPage>[0], extra: Record<string, unknown> = {}, status = 200) => {
    const switches = await listSwitches(db);
    await renderPage(res, 'switches/list', { title: 'Switches', switches, ...extra }, status);
  };

  router.get('/', async (_req, res) => {
    await showList(res);
  });

  router.post('/', async (req, res) => {
    const parsed = parseForm(switchSchema, req.body);
    if (!parsed.ok) {
      await showList(res, { values: formValues(req.body), fieldErrors: parsed.errors }, 400);
      return;
    }
    try {
      const { row, token } = await registerSwitch(db, { name: parsed.data.name, allowedAddresses: parsed.data.allowed_addresses }, currentAccount(res).id, now());
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

  router.post('/:id', async (req, res, next) => {
    if (!/^\d{1,15}$/.test(String(req.params.id))) return next();
    const id = Number(req.params.id);
    const parsed = parseForm(actionSchema, req.body);
    if (!parsed.ok) throw new ValidationError('Unknown action');
    const actor = currentAccount(res).id;
    const action = parsed.data;
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
