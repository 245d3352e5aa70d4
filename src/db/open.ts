import type { Knex } from 'knex';
import type { Config } from '../config.ts';
import { createDb, type Db } from './knex.ts';

/** The database the settings name: DATABASE_URL, or the embedded one in DATA_DIR. */
export function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Knex {
  return createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
}

export function describeDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): string {
  if (!config.databaseUrl) return `embedded Postgres (PGlite) in ${config.dataDir}`;
  const url = new URL(config.databaseUrl);
  return `Postgres at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

/** Applies pending migrations; returns the names applied. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

/** Answers when the database does (the health check). */
export async function pingDatabase(db: Db): Promise<void> {
  await db.raw('select 1');
}
