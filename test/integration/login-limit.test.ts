// The sign-in limit lives in Postgres: app instances over one database count together, and a
// restarted app still refuses. Each instance here is a separate app (with its own connection pool
// on real Postgres), as separate processes behind a load balancer would be.
import request from 'supertest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/knex.ts';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { TEST_PASSWORD, makeAccount } from '../helpers/factories.ts';
import { csrfToken } from '../helpers/login.ts';

const database = useTestDatabase();
const limitedConfig = testConfig({ LOGIN_MAX_ATTEMPTS: '3' });
const ownPools: Knex[] = [];
let account: AccountRow;

beforeAll(async () => {
  account = await makeAccount(database.current.db, { role: 'customer', parent: await makeAccount(database.current.db, { role: 'admin' }) });
});

afterAll(async () => {
  await Promise.all(ownPools.map((pool) => pool.destroy()));
});

beforeEach(async () => {
  // Every test starts with no failed attempts on record (all requests come from 127.0.0.1).
  await database.current.db('login_attempts').delete();
});

/** A new app over the test database, through a connection pool of its own where there can be one. */
function appInstance(): Express {
  const { url } = database.current;
  if (!url) return createTestApp(database.current.db, { config: limitedConfig });
  const pool = createDb({ databaseUrl: url, poolMax: 2 });
  ownPools.push(pool);
  return createTestApp(pool, { config: limitedConfig });
}

async function attemptLogin(app: Express, password: string) {
  const agent = request.agent(app);
  const token = await csrfToken(agent);
  return agent.post('/login').type('form').send({ email: account.email, password, _csrf: token });
}

describe('the sign-in limit', () => {
  it('when sign-ins fail on one instance, then another instance over the same database counts them and refuses', async () => {
    const a = appInstance();
    const b = appInstance();
    const statuses = [
      (await attemptLogin(a, 'wrong-password')).status,
      (await attemptLogin(a, 'wrong-password')).status,
      (await attemptLogin(b, 'wrong-password')).status,
      (await attemptLogin(b, 'wrong-password')).status,
    ];
    expect(statuses).toEqual([401, 401, 401, 429]);
    const blocked = await attemptLogin(a, TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many failed sign-ins from your address. Try again in 15 minutes.');
    expect(blocked.headers['retry-after']).toBeDefined();
  });

  it('when the app restarts after the limit was reached, then the new app still refuses, even the right password', async () => {
    const before = appInstance();
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await attemptLogin(before, 'wrong-password')).status).toBe(401);
    const restarted = appInstance();
    const response = await attemptLogin(restarted, TEST_PASSWORD);
    expect(response.status).toBe(429);
    expect(response.text).toContain('Too many failed sign-ins');
  });

  it('when sign-ins succeed, then they do not count towards the limit', async () => {
    const app = appInstance();
    const statuses: number[] = [];
    for (const password of ['wrong-password', TEST_PASSWORD, TEST_PASSWORD, 'wrong-password', 'wrong-password', 'wrong-password']) {
      statuses.push((await attemptLogin(app, password)).status);
    }
    expect(statuses).toEqual([401, 302, 302, 401, 401, 429]);
  });

  it('when the window has passed, then sign-ins are allowed again and the count starts over', async () => {
    const app = appInstance();
    for (let attempt = 0; attempt < 4; attempt += 1) await attemptLogin(app, 'wrong-password');
    expect((await attemptLogin(app, TEST_PASSWORD)).status).toBe(429);
    // The window ends: its end moved into the past, as 15 minutes of waiting would.
    await database.current.db('login_attempts').update({ reset_at: new Date(Date.now() - 1000) });
    expect((await attemptLogin(app, 'wrong-password')).status).toBe(401);
    const rows = await database.current.db('login_attempts').select('hits');
    expect(rows).toEqual([{ hits: 1 }]);
    expect((await attemptLogin(app, TEST_PASSWORD)).status).toBe(302);
  });

  it('when the form is invalid, then the attempt counts as a failed one, as before', async () => {
    const app = appInstance();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) statuses.push((await attemptLogin(app, '')).status);
    expect(statuses).toEqual([400, 400, 400, 429]);
  });
});
