// The account API's gate: the bearer key (never a switch token, never a session), its rate limit
// counted in Postgres, and one audit row per request (key, method, route, status).
import type { RequestHandler } from 'express';
import type { Db } from '../../db/knex.ts';
import type { Logger } from '../../logger.ts';
import { authenticateApiKey, type ApiCaller } from '../../services/api-keys.ts';
import { recordApiRequest, spendRateToken } from '../../services/api-usage.ts';
import { tokenFrom } from '../middleware/switch-auth.ts';
import { sendProblem } from './problem.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express declares its Locals in this global namespace
  namespace Express {
    interface Locals {
      apiCaller?: ApiCaller;
      apiRoute?: string;
    }
  }
}

export function requireApiKey(db: Db, now: () => Date, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const token = /^bearer\s/i.test(header.trim()) ? tokenFrom(req) : undefined;
    const caller = await authenticateApiKey(db, token, req.ip, now());
    res.locals.apiCaller = caller;
    res.on('finish', () => {
      recordApiRequest(db, {
        key_id: caller.key.id, account_id: caller.account.id, method: req.method, route: res.locals.apiRoute ?? req.path,
        status: res.statusCode, ip: req.ip ?? null, created_at: now(),
      }).catch((error: unknown) => logger.error({ err: error }, 'recording an API request failed'));
    });
    next();
  };
}

export function rateLimit(db: Db, now: () => Date, settings: { rate: number; burst: number }): RequestHandler {
  return async (_req, res, next) => {
    const caller = res.locals.apiCaller!;
    const bucket = await spendRateToken(db, caller.key.id, settings, now());
    const remaining = Math.max(0, Math.floor(bucket.tokens));
    const untilFull = Math.ceil((settings.burst - bucket.tokens) / settings.rate);
    res.set({ 'RateLimit-Limit': String(settings.burst), 'RateLimit-Remaining': String(remaining), 'RateLimit-Reset': String(Math.max(0, untilFull)) });
    if (bucket.allowed) return next();
    const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / settings.rate));
    res.set('Retry-After', String(retryAfter));
    sendProblem(res, 429, `This key may make ${settings.rate} requests a second (bursts of ${settings.burst}); retry after ${retryAfter} s`);
  };
}
