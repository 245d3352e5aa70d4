// The knex instance: real Postgres when a URL is given, otherwise embedded Postgres (PGlite).
// PGlite has a single connection: code must pass a transaction handle down rather than use the
// root knex inside a transaction, or the query waits for the transaction forever.
import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { migrationSource } from '../../migrations/index.ts';

/** A knex instance or a transaction: every repository and service function takes one first. */
export type Db = Knex | Knex.Transaction;

// NUMERIC (money) stays a string; BIGINT ids and counts become numbers (ids stay far below 2^53).
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface DbTarget {
  databaseUrl?: string | undefined;
  /** Folder of the embedded database; omit both for an in-memory embedded database. */
  dataDir?: string | undefined;
  /** An embedded instance already open (the tests start theirs from a migrated copy). */
  pglite?: PGlite;
  poolMax?: number;
}

export function createDb(target: DbTarget): Knex {
  const common: Knex.Config = {
    migrations: { migrationSource, tableName: 'knex_migrations' },
  };
  if (target.databaseUrl) {
    return knexFactory({
      ...common,
      client: 'pg',
      connection: target.databaseUrl,
      pool: { min: 0, max: target.poolMax ?? 10 },
    });
  }
  if (target.pglite) return knexFactory({ ...common, client: ClientPgLite, dialect: 'postgres', connection: { pglite: target.pglite } as Knex.StaticConnectionConfig });
  if (target.dataDir) fs.mkdirSync(target.dataDir, { recursive: true });
  // knex-pglite takes `filename` (a folder) for a kept database, nothing for one in memory.
  const connection = (target.dataDir ? { filename: path.join(target.dataDir, 'pgdata') } : {}) as Knex.StaticConnectionConfig;
  return knexFactory({ ...common, client: ClientPgLite, dialect: 'postgres', connection });
}

export function isEmbedded(db: Knex): boolean {
  return db.client.config.client !== 'pg';
}

