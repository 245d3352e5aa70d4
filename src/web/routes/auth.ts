// Login, logout and the landing redirect.
import { Router } from 'express';
import { z } from 'zod';
import type { AccountRow } from '../../db/repos/accounts.ts';
import { UnauthorizedError } from '../../errors.ts';
import { authenticate, unknownAccountHash } from '../../services/accounts.ts';
import { homePath } from '../middleware/auth.ts';
import { loginLimit } from '../middleware/login-limit.ts';
import { SESSION_COOKIE } from '../middleware/session.ts';
import { formValues, validate } from '../middleware/validate.ts';
import { renderPage } from '../render.ts';
import type { AppContext } from '../context.ts';

const loginSchema = z.object({
  email: z.string().trim().min(1, 'Enter your email').max(254, 'That email is too long'),
  password: z.string().min(1, 'Enter your password').max(200, 'That password is too long'),
  next: z.string().optional(),
});

/** Only a path on this site, never another host (an open redirect would help phishing). */
function safeNext(next: string | undefined): string | undefined {
  return next && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : undefined;
}

export function authRouter({ db, config, logger, now }: AppContext): Router {
  const router = Router();
  // Made now rather than at the first unknown email, which would otherwise be the one slow refusal.
  unknownAccountHash(config.bcryptCost).catch((error: unknown) => logger.error({ err: error }, 'dummy password hash failed'));

  const loginLimiter = loginLimit(db, config);

  router.get('/', (_req, res) => {
    const account = res.locals.currentAccount;
    res.redirect(account ? homePath(account.role) : '/login');
  });

  router.get('/login', async (req, res) => {
    const account = res.locals.currentAccount;
    if (account) return res.redirect(homePath(account.role));
    const next = typeof req.query.next === 'string' ? safeNext(req.query.next) : undefined;
    await renderPage(res, 'auth/login', { title: 'Sign in', values: { next: next ?? '' } });
  });

  const loginForm = validate(loginSchema, {
    onInvalid: (_req, res, { values, errors }) => renderPage(res, 'auth/login', { title: 'Sign in', values, fieldErrors: errors }, 400),
  });

  router.post('/login', loginLimiter, loginForm, async (req, res) => {
    const form = loginForm.data(res);
    const values = formValues(req.body);
    let account: AccountRow;
    try {
      account = await authenticate(db, form.email, form.password, config.bcryptCost, now());
    } catch (error) {
      // A refusal is shown on the sign-in form itself, with what was typed.
      if (error instanceof UnauthorizedError) return renderPage(res, 'auth/login', { title: 'Sign in', values, formError: error.message }, 401);
      throw error;
    }
    // A new session id at login, so a session id planted before login is worth nothing.
    await new Promise<void>((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())));
    // Both saved before the redirect leaves (middleware/session.ts).
    req.session.accountId = account.id;
    req.session.sessionVersion = account.session_version;
    res.redirect(safeNext(form.next) ?? homePath(account.role));
  });

  router.post('/logout', async (req, res) => {
    await new Promise<void>((resolve, reject) => req.session.destroy((error) => (error ? reject(error) : resolve())));
    res.clearCookie(SESSION_COOKIE);
    res.redirect('/login');
  });

  return router;
}
