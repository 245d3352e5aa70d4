// "Forgot password?" and the page a reset or welcome link opens. Public: no session needed.
import { Router, type Request, type Response } from 'express';
import { checkPasswordLink, requestPasswordReset, setPasswordWithLink } from '../../../services/password-links.ts';
import type { TokenPurpose } from '../../../db/repos/account-tokens.ts';
import { passwordResetLimit } from '../../middleware/reset-limit.ts';
import { validate } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { forgotSchema, resetSchema } from './schema.ts';

const TITLES: Record<TokenPurpose, string> = { reset: 'Choose a new password', welcome: 'Set your password' };

function tokenOf(req: Request): string {
  return String(req.params.token ?? '');
}

/** An unknown, used or expired link: said plainly, with the way to a new one. */
async function renderInvalidLink(res: Response): Promise<void> {
  await renderPage(res, 'auth/link-invalid', { title: 'Link no longer valid' }, 410);
}

export function passwordResetRouter({ db, config, now }: AppContext): Router {
  const router = Router();

  router.get('/password/forgot', async (_req, res) => {
    await renderPage(res, 'auth/forgot', { title: 'Forgot password', values: {} });
  });

  const forgotForm = validate(forgotSchema, {
    onInvalid: (_req, res, { values, errors }) => renderPage(res, 'auth/forgot', { title: 'Forgot password', values, fieldErrors: errors }, 400),
  });

  router.post('/password/forgot', ...passwordResetLimit(db, config), forgotForm, async (_req, res) => {
    const { email } = forgotForm.data(res);
    await requestPasswordReset(db, email, config.publicUrl, now());
    // The same page whether the email has an account or not.
    await renderPage(res, 'auth/forgot-sent', { title: 'Check your mail', email });
  });

  router.get('/password/reset/:token', async (req, res) => {
    const link = await checkPasswordLink(db, tokenOf(req), now());
    if (!link) return renderInvalidLink(res);
    await renderPage(res, 'auth/reset', { title: TITLES[link.purpose], email: link.email, token: tokenOf(req) });
  });

  const resetForm = validate(resetSchema, {
    onInvalid: async (req, res, { errors }) => {
      const link = await checkPasswordLink(db, tokenOf(req), now());
      if (!link) return renderInvalidLink(res);
      await renderPage(res, 'auth/reset', { title: TITLES[link.purpose], email: link.email, token: tokenOf(req), fieldErrors: errors }, 400);
    },
  });

  router.post('/password/reset/:token', resetForm, async (req, res) => {
    const form = resetForm.data(res);
    const done = await setPasswordWithLink(db, tokenOf(req), form.password, config.bcryptCost, now());
    if (!done) return renderInvalidLink(res);
    // Whoever was signed in on this browser is signed out too: sign in again with the new password.
    await new Promise<void>((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())));
    flash(req, 'success', done.purpose === 'welcome' ? 'Your password is set. Sign in with it.' : 'Your password has been changed. Sign in with the new one.');
    res.redirect('/login');
  });

  return router;
}
