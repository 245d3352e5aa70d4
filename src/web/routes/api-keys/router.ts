// "API keys", for every role (mounted at /account/api-keys): create a key (its secret shown once),
// list keys by prefix and last use, revoke one at once; and the API reference page.
import { Router, type Response } from 'express';
import { API_SCOPE_LABELS, scopesForRole } from '../../../domain/api-keys.ts';
import { ValidationError } from '../../../errors.ts';
import { createApiKey, listAccountKeys, revokeAccountKey } from '../../../services/api-keys.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { formValues, idParam, validate, type Invalid } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { newKeySchema } from './schema.ts';

/** The scopes this account's keys may have: the inventory scopes only for an admin. */
const scopesOf = (role: string) => scopesForRole(role).map((scope) => ({ value: scope, label: API_SCOPE_LABELS[scope] }));

export function apiKeysRouter({ db, now }: AppContext): Router {
  const router = Router();

  async function showKeys(res: Response, extra: { invalid?: Invalid; secret?: string } = {}, status = 200) {
    const keys = (await listAccountKeys(db, currentAccount(res).id)).map((key) => ({
      id: key.id, name: key.name, prefix: key.prefix, scopes: key.scopes, allowedIps: key.allowed_ips,
      expiresAt: key.expires_at, lastUsedAt: key.last_used_at, revokedAt: key.revoked_at, createdAt: key.created_at,
      expired: key.expires_at !== null && key.expires_at.getTime() <= now().getTime(),
    }));
    await renderPage(res, 'account/api-keys', {
      title: 'API keys', keys, scopes: scopesOf(currentAccount(res).role), secret: extra.secret,
      values: extra.invalid?.values ?? { name: '' }, fieldErrors: extra.invalid?.errors ?? {}, checked: extra.invalid ? [] : ['numbers:read'],
    }, status);
  }

  router.get('/', async (_req, res) => {
    await showKeys(res);
  });

  const newKey = validate(newKeySchema, { onInvalid: (_req, res, invalid) => showKeys(res, { invalid }, 400) });

  router.post('/', newKey, async (req, res) => {
    const form = newKey.data(res);
    let secret: string;
    try {
      ({ secret } = await createApiKey(db, {
        accountId: currentAccount(res).id, name: form.name, scopes: form.scopes, allowedIps: form.allowed_ips,
        expiresAt: form.expires_on ? new Date(`${form.expires_on}T23:59:59Z`) : null, now: now(),
      }));
    } catch (error) {
      // A scope this account's keys may not have (the inventory scopes of an admin).
      if (!(error instanceof ValidationError)) throw error;
      return showKeys(res, { invalid: { values: formValues(req.body), errors: error.fields } }, 400);
    }
    // The one time the secret is shown: not stored, not in a redirect or the session.
    res.set('Cache-Control', 'no-store');
    await showKeys(res, { secret }, 201);
  });

  router.post('/:id/revoke', async (req, res) => {
    await revokeAccountKey(db, currentAccount(res).id, idParam(req, 'id', 'No such key'), now());
    flash(req, 'success', 'The key was revoked: requests with it are refused from now on.');
    res.redirect(303, '/account/api-keys');
  });

  return router;
}

/** The API reference: Swagger UI, served from our own origin, reading /api/v1/openapi.json. */
export function apiReferenceRouter(): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    await renderPage(res, 'account/api-reference', { title: 'API reference' });
  });
  return router;
}
