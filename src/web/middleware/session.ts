// Sessions live in Postgres (table `session`), through connect-pg-simple. It expects a pg Pool;
// this adapter lends it knex instead, so the same code serves real Postgres and PGlite.
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../../config.ts';
import { numberedToKnex } from '../../db/prepared.ts';

export const SESSION_COOKIE = 'didhub.sid';
const SESSION_HOURS = 12;

/** connect-pg-simple's queries, with pg's $n placeholders, run through knex. */
function knexAsPool(db: Knex) {
  return {
    async query(text: string, params: unknown[] = []) {
      const { sql, bindings } = numberedToKnex(text, params);
      const result = (await db.raw(sql, bindings)) as { rows: unknown[] };
      return { rows: result.rows };
    },
  };
}

export function sessionMiddleware(db: Knex, config: Config): RequestHandler[] {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: knexAsPool(db) as never,
    tableName: 'session',
    createTableIfMissing: false,
    // Tests build many apps: a pruning timer each would keep the process alive.
    pruneSessionInterval: config.env === 'test' ? false : 15 * 60,
  });
  const sessions = session({
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
  return [sessions, saveSessionBeforeRedirect];
}

/**
 * express-session writes a changed session while the response ends, but a browser follows a
 * redirect as soon as it has the headers: under load the next page was read before the write
 * landed, and a flash message (or any change made before the redirect) was missing there and
 * surfaced a page later. Every redirect of a session that holds data therefore waits for its
 * save. An empty visitor session is not saved, as `saveUninitialized: false` intends.
 */
const saveSessionBeforeRedirect: RequestHandler = (req, res, next) => {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    const current = req.session as (typeof req.session & Record<string, unknown>) | undefined;
    if (!current || Object.keys(current).every((key) => key === 'cookie')) return redirect(...args);
    current.save((error) => (error ? next(error) : redirect(...args)));
  }) as typeof res.redirect;
  next();
};
