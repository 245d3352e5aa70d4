// Sessions live in Postgres (table `session`), through connect-pg-simple. It expects a pg Pool;
// this adapter lends it knex instead, so the same code serves real Postgres and PGlite.
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../../config.ts';

export const SESSION_COOKIE = 'didhub.sid';
const SESSION_HOURS = 12;

/** Rewrites pg's $1..$n placeholders into knex's `?`, repeating values a placeholder reuses. */
function knexAsPool(db: Knex) {
  return {
    async query(text: string, params: unknown[] = []) {
      const bindings: unknown[] = [];
      const sql = text.replace(/\$(\d+)/g, (_match, index: string) => {
        bindings.push(params[Number(index) - 1]);
        return '?';
      });
      const result = (await db.raw(sql, bindings as Knex.RawBinding[])) as { rows: unknown[] };
      return { rows: result.rows };
    },
  };
}

export function sessionMiddleware(db: Knex, config: Config): RequestHandler {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: knexAsPool(db) as never,
    tableName: 'session',
    createTableIfMissing: false,
    // Tests build many apps: a pruning timer each would keep the process alive.
    pruneSessionInterval: config.env === 'test' ? false : 15 * 60,
  });
  return session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
      maxAge: SESSION_HOURS * 60 * 60 * 1000,
    },
  });
}
