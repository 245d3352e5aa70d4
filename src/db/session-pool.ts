// connect-pg-simple expects a pg Pool; this adapter lends it knex instead, so the same session
// store serves real Postgres and PGlite.
import type { Db } from './knex.ts';
import { numberedToKnex } from './prepared.ts';

/** connect-pg-simple's queries, with pg's $n placeholders, run through knex. */
export function sessionStorePool(db: Db) {
  return {
    async query(text: string, params: unknown[] = []) {
      const { sql, bindings } = numberedToKnex(text, params);
      const result = (await db.raw(sql, bindings)) as { rows: unknown[] };
      return { rows: result.rows };
    },
  };
}
