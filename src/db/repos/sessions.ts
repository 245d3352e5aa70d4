// An account's sessions end together: its session_version moves on (sessions remember the one of
// their login and are refused once it differs, on every app instance) and its session rows go.
import type { Db } from '../knex.ts';

/** Ends every session of the account; returns the version a session made from now on carries. */
export async function endAccountSessions(db: Db, accountId: number): Promise<number> {
  const [row] = (await db('accounts')
    .where({ id: accountId })
    .increment('session_version', 1)
    .returning('session_version')) as Array<{ session_version: number }>;
  if (!row) throw new Error(`No account ${accountId}`);
  // The session table is connect-pg-simple's: `sess` is the JSON of express-session's data.
  await db('session').whereRaw("sess->>'accountId' = ?", [String(accountId)]).delete();
  return row.session_version;
}
