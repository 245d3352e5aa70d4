import type { RequestHandler, Response } from 'express';
import type { Db } from '../../db/knex.ts';
import { findAccountById, type AccountRow, type Role } from '../../db/repos/accounts.ts';
import { ForbiddenError } from '../../errors.ts';

/**
 * Loads the logged-in account on each request. One suspended or closed since, or whose sessions
 * were ended since this one began (a password change, see repos/sessions.ts), is logged out.
 */
export function loadCurrentAccount(db: Db): RequestHandler {
  return async (req, res, next) => {
    const accountId = req.session.accountId;
    if (accountId === undefined) return next();
    const account = await findAccountById(db, accountId);
    // A session from before versions existed carries none: it is of version 0, the column's start.
    if (!account || account.status !== 'active' || (req.session.sessionVersion ?? 0) !== account.session_version) {
      delete req.session.accountId;
      delete req.session.sessionVersion;
      return next();
    }
    res.locals.currentAccount = account;
    next();
  };
}

export function homePath(role: Role): string {
  return `/${role}`;
}

const MAX_NEXT_LENGTH = 2_000;

/** Guards a whole router: visitors go to the login page, other roles get 403. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    const account = res.locals.currentAccount;
    if (!account) {
      // A page's address comes back after login, unless it is too long for a Location header
      // (proxies and clients refuse headers over 8-16 KB).
      if (req.method === 'GET' && req.originalUrl.length <= MAX_NEXT_LENGTH) return res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      return res.redirect('/login');
    }
    if (roles.length > 0 && !roles.includes(account.role)) return next(new ForbiddenError());
    next();
  };
}

/** The logged-in account of a route behind requireRole. */
export function currentAccount(res: Response): AccountRow {
  const account = res.locals.currentAccount;
  if (!account) throw new ForbiddenError();
  return account;
}
