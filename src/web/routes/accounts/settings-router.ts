// Creating a managed account and editing its settings. Mounted in the managed accounts router.
import { Router, type Request, type Response } from 'express';
import type { AccountListRow } from '../../../db/repos/account-directory.ts';
import { listParentOptions } from '../../../db/repos/account-directory.ts';
import { ValidationError } from '../../../errors.ts';
import { createManagedAccount, getManagedAccount, updateManagedAccount } from '../../../services/account-management.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { formValues, idParam, validate } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { accountScope, audienceOf, settingsValues } from './presenter.ts';
import { createSchema, editSchema, newQuerySchema } from './schema.ts';

export function settingsRouter({ db, config, now }: AppContext): Router {
  const router = Router();
  const loadAccount = (req: Request, res: Response) => getManagedAccount(db, accountScope(res), idParam(req, 'id', 'No such account'));
  const actor = (req: Request, res: Response) => ({
    actorId: currentAccount(res).id, ip: req.ip, now: now(), bcryptCost: config.bcryptCost, publicUrl: config.publicUrl,
  });

  async function renderCreateForm(res: Response, extra: Record<string, unknown>, status = 200) {
    const audience = audienceOf(areaRole(res));
    await renderPage(res, 'accounts/form', {
      title: `New ${audience.singular}`, ...audience, mode: 'create', account: null,
      parents: audience.isAdmin ? await listParentOptions(db) : [],
      ...extra,
    }, status);
  }

  async function renderEditForm(res: Response, account: AccountListRow, extra: Record<string, unknown>, status = 200) {
    await renderPage(res, 'accounts/form', {
      title: `Edit ${account.name}`, ...audienceOf(areaRole(res)), mode: 'edit', account, parents: [],
      // The billing day is edited in one place: the account's billing settings, with its taxes.
      billingSettingsHref: `/${areaRole(res)}/company/accounts/${account.id}`, ...extra,
    }, status);
  }

  const newQuery = validate(newQuerySchema, { from: 'query' });

  router.get('/new', newQuery, async (_req, res) => {
    const scope = accountScope(res);
    const parent = newQuery.data(res).parent ?? '';
    await renderCreateForm(res, {
      values: {
        role: 'customer', parent_id: parent || (scope.kind === 'admin' ? String(scope.adminId) : ''), password_mode: 'link',
        billing_mode: 'prepaid', credit_limit: '0', max_concurrent_calls: '0', status: 'active',
      },
    });
  });

  const createForm = validate((_req, res) => createSchema(config, areaRole(res)), {
    onInvalid: (_req, res, { values, errors }) => renderCreateForm(res, { values, fieldErrors: errors }, 400),
  });

  router.post('/new', createForm, async (req, res) => {
    const form = createForm.data(res);
    let created;
    try {
      created = await createManagedAccount(db, accountScope(res), {
        role: form.role, parentId: form.parent_id, name: form.name, email: form.email, password: form.password,
        billingMode: form.billing_mode, creditLimit: form.credit_limit, maxConcurrentCalls: form.max_concurrent_calls, status: form.status,
      }, actor(req, res));
    } catch (error) {
      if (error instanceof ValidationError) return renderCreateForm(res, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    flash(req, 'success', form.password === undefined
      ? `${created.name} has been created; a link to set the password has been mailed to ${created.email} (valid 7 days).`
      : `${created.name} has been created.`);
    res.redirect(`${audienceOf(areaRole(res)).base}/${created.id}`);
  });

  router.get('/:id/edit', async (req, res) => {
    const account = await loadAccount(req, res);
    await renderEditForm(res, account, { values: settingsValues(account) });
  });

  const editForm = validate(editSchema(config), {
    onInvalid: async (req, res, { values, errors }) => renderEditForm(res, await loadAccount(req, res), { values, fieldErrors: errors }, 400),
  });

  router.post('/:id/edit', editForm, async (req, res) => {
    const account = await loadAccount(req, res);
    const form = editForm.data(res);
    try {
      await updateManagedAccount(db, accountScope(res), account.id, {
        name: form.name, email: form.email, billingMode: form.billing_mode, creditLimit: form.credit_limit,
        maxConcurrentCalls: form.max_concurrent_calls, status: form.status, password: form.password,
      }, actor(req, res));
    } catch (error) {
      if (error instanceof ValidationError) return renderEditForm(res, account, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    flash(req, 'success', `${form.name} has been saved.`);
    res.redirect(`${audienceOf(areaRole(res)).base}/${account.id}`);
  });

  return router;
}
