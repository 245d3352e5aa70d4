// Access for switches: a token per switch (Authorization: Bearer <token>, or HTTP Basic with the
// token as password, which is what mod_xml_curl and mod_json_cdr can send), from an allowed
// address. No session and no CSRF: these routes are mounted before both.
import type { Request, RequestHandler } from 'express';
import type { Db } from '../../db/knex.ts';
import type { SwitchRow } from '../../db/repos/switches.ts';
import { UnauthorizedError } from '../../errors.ts';
import { authenticateSwitch } from '../../services/switches.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express declares its Locals in this global namespace
  namespace Express {
    interface Locals {
      switch?: SwitchRow;
    }
  }
}

export function tokenFrom(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2) as [string, string | undefined];
  if (!value) return undefined;
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : decoded.slice(colon + 1) || undefined;
  }
  return undefined;
}

export function requireSwitch(db: Db, now: () => Date): RequestHandler {
  return async (req, res, next) => {
    try {
      res.locals.switch = await authenticateSwitch(db, tokenFrom(req), req.ip, now());
    } catch (error) {
      if (error instanceof UnauthorizedError) res.set('WWW-Authenticate', 'Bearer realm="didhub switches", Basic realm="didhub switches"');
      throw error;
    }
    next();
  };
}

/** Everywhere else, a token is no way in: a request that carries one is refused outright. */
export const refuseSwitchTokens: RequestHandler = (req, res, next) => {
  if (req.get('authorization')) throw new UnauthorizedError('Switch tokens are accepted only on /switch/ and /api/v1/ routes; pages need a login');
  next();
};
