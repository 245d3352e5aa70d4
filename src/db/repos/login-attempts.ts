// Failed sign-ins per client key (its address) in a fixed window, counted in one statement each so
// that app instances sharing the database count together. The database's clock sets the windows:
// one clock for every instance.
import type { Db } from '../knex.ts';

export interface LoginAttempts {
  hits: number;
  resetAt: Date;
}

interface AttemptsRow {
  hits: number;
  reset_at: Date;
}

const toAttempts = (row: AttemptsRow): LoginAttempts => ({ hits: row.hits, resetAt: new Date(row.reset_at) });

/** Counts one more attempt; a key whose window has passed starts a new window at 1. */
export async function countLoginAttempt(db: Db, key: string, windowMs: number): Promise<LoginAttempts> {
  const result = (await db.raw(
    `INSERT INTO login_attempts AS a (key, hits, reset_at)
     VALUES (?, 1, now() + ?::float8 * interval '1 millisecond')
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN a.reset_at <= now() THEN 1 ELSE a.hits + 1 END,
       reset_at = CASE WHEN a.reset_at <= now() THEN excluded.reset_at ELSE a.reset_at END
     RETURNING hits, reset_at`,
    [key, windowMs],
  )) as { rows: AttemptsRow[] };
  const attempts = toAttempts(result.rows[0] as AttemptsRow);
  // A new window is rare (once per address and window): the moment to drop the windows that ended.
  if (attempts.hits === 1) await db('login_attempts').where('reset_at', '<=', db.raw('now()')).delete();
  return attempts;
}

/** Takes back an attempt that turned out to succeed, within its window. */
export async function forgiveLoginAttempt(db: Db, key: string): Promise<void> {
  await db('login_attempts').where({ key }).where('hits', '>', 0).where('reset_at', '>', db.raw('now()')).decrement('hits', 1);
}

export async function clearLoginAttempts(db: Db, key: string): Promise<void> {
  await db('login_attempts').where({ key }).delete();
}
