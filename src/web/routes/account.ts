// Pages every logged-in account has, whatever its role.
import { Router } from 'express';
import { z } from 'zod';
import { changePassword } from '../../services/accounts.ts';
import { ValidationError } from '../../errors.ts';
import { currentAccount, homePath } from '../middleware/auth.ts';
import { validate } from '../middleware/validate.ts';
import { passwordSchema } from './accounts/schema.ts';
import { flash, renderPage } from '../render.ts';
import type { AppContext } from '../context.ts';
import { apiKeysRouter, apiReferenceRouter } from './api-keys/router.ts';
import { notificationsRouter } from './notifications/router.ts';

const passwordFormSchema = z
  .object({
    current: z.string().min(1, 'Enter your current password'),
    next: passwordSchema,
    confirm: z.string(),
  })
  .refine((form) => form.next === form.confirm, { path: ['confirm'], message: 'The two new passwords differ' })
  .refine((form) => form.next !== form.current, { path: ['next'], message: 'Choose a password other than the current one' });

export function accountRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  router.use('/api-keys', apiKeysRouter(context));
  router.use('/api-reference', apiReferenceRouter());
  router.use('/notifications', notificationsRouter(context));

  router.get('/password', async (_req, res) => {
    await renderPage(res, 'account/password', { title: 'Change password' });
  });

  const passwordForm = validate(passwordFormSchema, {
    onInvalid: (_req, res, { errors }) => renderPage(res, 'account/password', { title: 'Change password', fieldErrors: errors }, 400),
  });

  router.post('/password', passwordForm, async (req, res) => {
    const account = currentAccount(res);
    const form = passwordForm.data(res);
    let sessionVersion: number;
    try {
      sessionVersion = await changePassword(db, account.id, { current: form.current, next: form.next }, config.bcryptCost, now());
    } catch (error) {
      if (error instanceof ValidationError) {
        return renderPage(res, 'account/password', { title: 'Change password', fieldErrors: error.fields }, 400);
      }
      throw error;
    }
    // Every session of the account ended with the old password; this browser gets a new one.
    await new Promise<void>((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())));
    req.session.accountId = account.id;
    req.session.sessionVersion = sessionVersion;
    flash(req, 'success', 'Your password has been changed.');
    res.redirect(homePath(account.role));
  });

  return router;
}
