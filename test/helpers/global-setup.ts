// Once per run: on real Postgres, migrate a template database that each test file clones. Its
// name carries this run's process id, so runs at the same time on one server do not drop each
// other's template. On the embedded database each file migrates its own instance instead.
import type { TestProject } from 'vitest/node';
import { createDb } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/open.ts';
import { databaseUrl, testServerUrl } from './database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const admin = createDb({ databaseUrl: serverUrl, poolMax: 1 });
  try {
    await admin.raw(statement);
  } finally {
    await admin.destroy();
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const serverUrl = testServerUrl();
  console.log(`\nTests use ${serverUrl ? `real Postgres (${new URL(serverUrl).host})` : 'the embedded Postgres (PGlite)'}.`);
  if (!serverUrl) return;
  const template = `didhub_test_template_${process.pid}`;
  await onServer(serverUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await onServer(serverUrl, `CREATE DATABASE ${template}`);
  const db = createDb({ databaseUrl: databaseUrl(serverUrl, template), poolMax: 1 });
  try {
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }
  project.provide('templateDatabase', template);
  return () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
}
