// Sessions live in Postgres (table `session`), through connect-pg-simple and an adapter of src/db
// (sessionStorePool), so the same code serves real Postgres and PGlite.
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/knex.ts';
import { sessionStorePool } from '../../db/session-pool.ts';

export const SESSION_COOKIE = 'didhub.sid';
const SESSION_HOURS = 12;

export function sessionMiddleware(db: Db, config: Config): RequestHandler[] {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: sessionStorePool(db) as never,
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
