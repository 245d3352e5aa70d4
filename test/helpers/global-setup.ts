// Once per run: on real Postgres, migrate a template database that each test file clones. Its
// name carries this run's process id, so runs at the same time on one server do not drop each
// other's template. On the embedded database, migrate one instance and keep a copy of its data
// folder that each test file starts from: starting an empty one (initdb, in WebAssembly) takes
// about 4 s on these machines, loading the copy about 1 s.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/open.ts';
import { databaseUrl, testServerUrl } from './database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    /** On the embedded database: the file holding the migrated data folder (a tar). */
    embeddedTemplate: string;
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
  if (!serverUrl) return embeddedTemplate(project);
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

async function embeddedTemplate(project: TestProject): Promise<() => Promise<void>> {
  const db = createDb({});
  const file = path.join(os.tmpdir(), `didhub-test-template-${process.pid}.tar`);
  try {
    await migrateLatest(db);
    const pglite = (db.client as unknown as { pglite: PGlite }).pglite;
    fs.writeFileSync(file, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
  } finally {
    await db.destroy();
  }
  project.provide('embeddedTemplate', file);
  return async () => fs.rmSync(file, { force: true });
}
