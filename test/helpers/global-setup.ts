// Once per run: on real Postgres, migrate a template database that each test file clones.
// On the embedded database there is nothing to prepare: each file migrates its own instance.
import { createDb } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/open.ts';
import { TEMPLATE_DATABASE, databaseUrl, testServerUrl } from './database.ts';

export default async function setup(): Promise<void> {
  const serverUrl = testServerUrl();
  console.log(`\nTests use ${serverUrl ? `real Postgres (${new URL(serverUrl).host})` : 'the embedded Postgres (PGlite)'}.`);
  if (!serverUrl) return;
  const admin = createDb({ databaseUrl: serverUrl, poolMax: 1 });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.destroy();
  }
  const template = createDb({ databaseUrl: databaseUrl(serverUrl, TEMPLATE_DATABASE), poolMax: 1 });
  try {
    await migrateLatest(template);
  } finally {
    await template.destroy();
  }
}
