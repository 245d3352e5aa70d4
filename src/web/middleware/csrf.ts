// Synchroniser-token CSRF protection: one random token per session, sent back in every
// state-changing form as `_csrf` (or the X-CSRF-Token header) and compared in constant time.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../../errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(sent: unknown, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The session's token, made on first use. */
export function csrfTokenOf(req: Request): string {
  return (req.session.csrfToken ??= randomBytes(32).toString('base64url'));
}

export function csrfProtection(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      // A token is made when a page that may hold a form is rendered, not on every request: a
      // visitor who is only redirected (to the login page, say) leaves no session behind.
      Object.defineProperty(res.locals, 'csrfToken', {
        enumerable: true,
        configurable: true,
        get: () => csrfTokenOf(req),
      });
      return next();
    }
    const sent: unknown = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
    if (!req.session.csrfToken || !sameToken(sent, req.session.csrfToken)) {
      return next(new ForbiddenError('This form has expired or did not come from didhub. Go back, reload the page and try again.'));
    }
    res.locals.csrfToken = req.session.csrfToken;
    next();
  };
}
