// The `didhub` command's database commands, run through the same entry as `npx didhub`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { createDb } from '../../src/db/knex.ts';
import { authenticate } from '../../src/services/accounts.ts';
import { useTestDatabase } from '../helpers/database.ts';

const database = useTestDatabase();
const saved = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR, BCRYPT_COST: process.env.BCRYPT_COST };
let dataDir: string;

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk, _encoding, done) { text += String(chunk); done(); } });
  return { stream, get text() { return text; } };
}

async function didhub(...argv: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** The database the commands use: this file's Postgres database, or an embedded one in a temp folder. */
function commandsDb() {
  return createDb({ databaseUrl: database.current.url, dataDir: database.current.url ? undefined : dataDir });
}

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'didhub-cli-'));
  process.env.BCRYPT_COST = '4';
  if (database.current.url) process.env.DATABASE_URL = database.current.url;
  else {
    delete process.env.DATABASE_URL;
    process.env.DATA_DIR = dataDir;
  }
});

afterAll(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('didhub command', () => {
  it('when run with help, then it lists the commands', async () => {
    const result = await didhub('help');
    expect(result.code).toBe(0);
    for (const name of ['migrate', 'seed', 'create-admin']) expect(result.stdout).toContain(name);
  });

  it('when the command is unknown, then it says so and exits 2', async () => {
    const result = await didhub('frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
  });

  it('when migrate runs twice, then the second run has nothing to do', async () => {
    const first = await didhub('migrate');
    expect(first.code).toBe(0);
    const second = await didhub('migrate');
    expect(second.stdout).toContain('Already up to date.');
    // Two processes, each starting node and (embedded) a database: slow on a loaded machine.
  }, 120_000);

  it('when reports rebuild runs, then it recomputes the rollups of the range; dates out of order exit 2', async () => {
    const done = await didhub('reports', 'rebuild', '--from', '2026-11-01', '--to', '2026-11-30');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('Report rollups rebuilt (2026-11-01 to 2026-11-30)');
    const refused = await didhub('reports', 'rebuild', '--from', '2026-11-30', '--to', '2026-11-01');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--to is before --from');
  }, 120_000);

  it('when seed runs without --demo, then it explains and exits 2', async () => {
    const result = await didhub('seed');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--demo');
  });

  it('when create-admin gets a short password or a bad email, then it refuses', async () => {
    expect((await didhub('create-admin', '--email', 'ops@example.org', '--password', 'short')).stderr).toContain('at least 10');
    expect((await didhub('create-admin', '--email', 'not-an-email', '--password', 'long-enough-pass')).code).toBe(2);
  });

  it('when create-admin runs, then that admin can log in, and the same email again is refused', async () => {
    const created = await didhub('create-admin', '--email', 'Ops@Example.org', '--password', 'long-enough-pass', '--name', 'Ops');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Admin Ops@Example.org created');
    const again = await didhub('create-admin', '--email', 'ops@example.org', '--password', 'long-enough-pass');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists already');
    const db = commandsDb();
    try {
      const login = await authenticate(db, 'ops@example.org', 'long-enough-pass', 4, new Date());
      expect(login.role).toBe('admin');
    } finally {
      await db.destroy();
    }
  });

  it('when seed --demo runs on a database with accounts, then it writes nothing', async () => {
    const result = await didhub('seed', '--demo');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('demo data not written');
  });
});
