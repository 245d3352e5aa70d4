// The sign-in limit: failed attempts per client address and window, counted in Postgres so the
// limit holds across app instances and restarts. express-rate-limit keeps its rules (only failed
// attempts count, the standard headers); this store only moves its count into the database.
import { rateLimit, type ClientRateLimitInfo, type Options, type RateLimitRequestHandler, type Store } from 'express-rate-limit';
import type { Db } from '../../db/knex.ts';
import type { Config } from '../../config.ts';
import {
  clearLoginAttempts,
  countLoginAttempt,
  forgiveLoginAttempt,
} from '../../db/repos/login-attempts.ts';
import { formValues } from './validate.ts';
import { renderPage } from '../render.ts';

/** express-rate-limit's count kept in login_attempts; callers give their keys a prefix of their own. */
export class PostgresLoginStore implements Store {
  // Counts in one instance reach the others: express-rate-limit's double-count check must know.
  localKeys = false;
  private windowMs = 0;

  constructor(private readonly db: Db) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const attempts = await countLoginAttempt(this.db, key, this.windowMs);
    return { totalHits: attempts.hits, resetTime: attempts.resetAt };
  }

  async decrement(key: string): Promise<void> {
    await forgiveLoginAttempt(this.db, key);
  }

  async resetKey(key: string): Promise<void> {
    await clearLoginAttempts(this.db, key);
  }
}

export function loginLimit(db: Db, config: Config): RateLimitRequestHandler {
  return rateLimit({
    windowMs: config.loginWindowMinutes * 60 * 1000,
    limit: config.loginMaxAttempts,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new PostgresLoginStore(db),
    handler: async (req, res) => {
      await renderPage(
        res,
        'auth/login',
        {
          title: 'Sign in',
          values: formValues(req.body),
          formError: `Too many failed sign-ins from your address. Try again in ${config.loginWindowMinutes} minutes.`,
        },
        429,
      );
    },
  });
}
