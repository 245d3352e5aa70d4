import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Config } from '../../config.ts';
import { navigation } from '../navigation.ts';
import { createFormatters, FIELD_LABELS } from '../presenters/format.ts';

/**
 * What every template may use, the error pages included: set before the body parsers and the
 * session, so a request they refuse (too large, not JSON, a forged form) still gets its page.
 */
export function requestLocals(config: Config): RequestHandler {
  const format = createFormatters(config);
  return (req, res, next) => {
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.locals.format = format;
    res.locals.labels = FIELD_LABELS;
    res.locals.currentPath = req.path;
    res.locals.fieldErrors = {};
    res.locals.values = {};
    res.locals.nav = [];
    res.locals.flash = [];
    next();
  };
}

/** What comes with the session: the account's menu and the flash messages. */
export const templateLocals: RequestHandler = (req, res, next) => {
  const account = res.locals.currentAccount;
  res.locals.nav = account ? navigation[account.role] : [];
  // Flash messages are shown once, on the next page rendered.
  res.locals.flash = req.session.flash ?? [];
  if (req.session.flash) delete req.session.flash;
  next();
};
