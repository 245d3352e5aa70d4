import type { Db } from '../db/knex.ts';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase } from '../db/open.ts';

/** Runs a command's work with the configured database, and closes it whatever happens. */
export async function withDatabase<T>(work: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = openDatabase(config);
  try {
    return await work(db, config);
  } finally {
    await db.destroy();
  }
}
