// The "Forgot password?" limit: every request counts (there is no failed or successful one to tell
// apart: the answer is always the same), per client address and per email asked for, so neither one
// address nor many addresses can flood a mailbox with links. Counted in Postgres beside the sign-in
// limit (login_attempts), under keys of their own.
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Db } from '../../db/knex.ts';
import type { Config } from '../../config.ts';
import { renderPage } from '../render.ts';
import { PostgresLoginStore } from './login-limit.ts';
import { formValues } from './validate.ts';

function emailKey(body: unknown): string {
  const email = (body as Record<string, unknown> | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
}

export function passwordResetLimit(db: Db, config: Config): RequestHandler[] {
  const common = {
    windowMs: config.loginWindowMinutes * 60 * 1000,
    limit: config.passwordResetMaxRequests,
    standardHeaders: 'draft-8' as const,
    legacyHeaders: false,
    handler: async (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => {
      await renderPage(
        res,
        'auth/forgot',
        {
          title: 'Forgot password',
          values: formValues(req.body),
          formError: `Too many reset requests. Try again in ${config.loginWindowMinutes} minutes.`,
        },
        429,
      );
    },
  };
  return [
    rateLimit({ ...common, store: new PostgresLoginStore(db), keyGenerator: (req) => `reset-ip:${ipKeyGenerator(req.ip ?? '')}` }),
    rateLimit({ ...common, store: new PostgresLoginStore(db), keyGenerator: (req) => `reset-email:${emailKey(req.body)}` }),
  ];
}
