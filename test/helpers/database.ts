// Each test file gets a database of its own: on real Postgres a new database cloned from a
// migrated template, on the embedded one an in-memory instance loaded from a migrated copy (see
// global-setup.ts).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Knex } from 'knex';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDb } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/open.ts';

export function testServerUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface TestDatabase {
  db: Knex;
  /** Set on real Postgres: the URL of this file's database, for code that opens its own connection. */
  url: string | undefined;
  embedded: boolean;
  destroy(): Promise<void>;
}

export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  if (!serverUrl) {
    const template = new Blob([fs.readFileSync(inject('embeddedTemplate'))]);
    const db = createDb({ pglite: await PGlite.create({ loadDataDir: template }) });
    await migrateLatest(db);
    return { db, url: undefined, embedded: true, destroy: () => db.destroy() };
  }
  const name = `didhub_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = createDb({ databaseUrl: serverUrl, poolMax: 1 });
  await admin.raw(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  const url = databaseUrl(serverUrl, name);
  const db = createDb({ databaseUrl: url, poolMax: options.poolMax ?? 10 });
  return {
    db,
    url,
    embedded: false,
    async destroy() {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

/** Registers the file's database with beforeAll/afterAll; read `.current` inside tests. */
export function useTestDatabase(options: { poolMax?: number } = {}): { readonly current: TestDatabase } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(options);
  });
  afterAll(async () => {
    await database?.destroy();
  });
  return {
    get current() {
      if (!database) throw new Error('The test database is made in beforeAll: use it inside a test or hook');
      return database;
    },
  };
}
