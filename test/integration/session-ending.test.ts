// Sessions end with the password: a password change ends the account's other sessions, an admin's
// reset all of them, and a suspension or closure all of them at once, for good.
import request from 'supertest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { TEST_PASSWORD, makeAccount, makeHierarchy } from '../helpers/factories.ts';
import { loginAs, postForm, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
let db: Knex;
let app: Express;
let people: Awaited<ReturnType<typeof makeHierarchy>>;
let adminAgent: Agent;

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db);
  people = await makeHierarchy(db);
  adminAgent = await loginAs(app, people.admin.email);
});

interface SessionRow {
  sid: string;
  sess: unknown;
  expire: Date;
}

async function sessionsOf(account: AccountRow): Promise<SessionRow[]> {
  return db('session').whereRaw("sess->>'accountId' = ?", [String(account.id)]).select('sid', 'sess', 'expire');
}

/** Whether the agent's session still opens the account's dashboard (a refused one goes to /login). */
async function signedIn(agent: Agent, account: AccountRow): Promise<boolean> {
  const response = await agent.get(`/${account.role}`);
  if (response.status === 200) return true;
  expect(response.status).toBe(302);
  expect(response.headers.location).toMatch(/^\/login/);
  return false;
}

function editFields(account: AccountRow, changes: Record<string, string>): Record<string, string> {
  return {
    name: account.name, email: account.email, billing_mode: account.billing_mode, credit_limit: '0',
    max_concurrent_calls: String(account.max_concurrent_calls), status: account.status, password: '', ...changes,
  };
}

async function attemptLogin(email: string, password: string) {
  const agent = request.agent(app);
  const page = await agent.get('/login');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return agent.post('/login').type('form').send({ email, password, _csrf: token });
}

describe('changing one\'s own password', () => {
  it('when an account changes its password, then its other sessions end and the one that changed it stays signed in on a new session', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const here = await loginAs(app, customer.email);
    const elsewhere = await loginAs(app, customer.email);
    const before = (await sessionsOf(customer)).map((row) => row.sid);
    expect(before).toHaveLength(2);

    const response = await postForm(here, '/account/password', { current: TEST_PASSWORD, next: 'a-brand-new-secret', confirm: 'a-brand-new-secret' }, '/account/password');
    expect(response.status).toBe(302);

    const page = await here.get('/customer');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Your password has been changed.');
    expect(await signedIn(elsewhere, customer)).toBe(false);
    const after = (await sessionsOf(customer)).map((row) => row.sid);
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]);
  });

  it('when the change is refused, then no session ends', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const here = await loginAs(app, customer.email);
    const elsewhere = await loginAs(app, customer.email);
    const response = await postForm(here, '/account/password', { current: 'not-the-password', next: 'a-brand-new-secret', confirm: 'a-brand-new-secret' });
    expect(response.status).toBe(400);
    expect(await signedIn(here, customer)).toBe(true);
    expect(await signedIn(elsewhere, customer)).toBe(true);
  });
});

describe('the admin or a reseller changes an account', () => {
  it('when the admin resets an account\'s password, then all that account\'s sessions end, and the admin\'s own does not', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const first = await loginAs(app, customer.email);
    const second = await loginAs(app, customer.email);
    const response = await postForm(adminAgent, `/admin/accounts/${customer.id}/edit`, editFields(customer, { password: 'reset-by-the-admin' }));
    expect(response.status).toBe(302);
    expect(await signedIn(first, customer)).toBe(false);
    expect(await signedIn(second, customer)).toBe(false);
    expect(await sessionsOf(customer)).toEqual([]);
    expect(await signedIn(adminAgent, people.admin)).toBe(true);
    // The new password signs in again, to a session that lasts.
    const again = await loginAs(app, customer.email, 'reset-by-the-admin');
    expect(await signedIn(again, customer)).toBe(true);
  });

  it('when the admin edits an account without touching its password or status, then its sessions go on', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const agent = await loginAs(app, customer.email);
    const response = await postForm(adminAgent, `/admin/accounts/${customer.id}/edit`, editFields(customer, { name: 'Renamed Ltd', max_concurrent_calls: '3' }));
    expect(response.status).toBe(302);
    expect(await signedIn(agent, customer)).toBe(true);
    expect(await sessionsOf(customer)).toHaveLength(1);
  });

  it.each(['suspended', 'closed'] as const)('when the admin sets an account %s, then its session rows are deleted at once and its sessions refused', async (status) => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: people.admin });
    const agent = await loginAs(app, reseller.email);
    const response = await postForm(adminAgent, `/admin/accounts/${reseller.id}/edit`, editFields(reseller, { status }));
    expect(response.status).toBe(302);
    expect(await sessionsOf(reseller)).toEqual([]);
    expect(await signedIn(agent, reseller)).toBe(false);
  });

  it('when a reseller suspends its customer, then the customer\'s sessions end', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.reseller });
    const resellerAgent = await loginAs(app, people.reseller.email);
    const agent = await loginAs(app, customer.email);
    const response = await postForm(resellerAgent, `/reseller/customers/${customer.id}/edit`, editFields(customer, { status: 'suspended' }));
    expect(response.status).toBe(302);
    expect(await sessionsOf(customer)).toEqual([]);
    expect(await signedIn(agent, customer)).toBe(false);
  });

  it('when a session row of a suspended account is written back (a request in flight) and the account reopened, then that session is still refused', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const agent = await loginAs(app, customer.email);
    const [row] = await sessionsOf(customer);
    expect(row).toBeDefined();
    expect((await postForm(adminAgent, `/admin/accounts/${customer.id}/edit`, editFields(customer, { status: 'suspended' }))).status).toBe(302);
    // As a request that began before the suspension would save its session when it ends.
    await db('session').insert({ sid: row!.sid, sess: JSON.stringify(row!.sess), expire: row!.expire });
    expect(await signedIn(agent, customer)).toBe(false);
    expect((await postForm(adminAgent, `/admin/accounts/${customer.id}/edit`, editFields(customer, { status: 'active' }))).status).toBe(302);
    await db('session').insert({ sid: row!.sid, sess: JSON.stringify(row!.sess), expire: row!.expire }).onConflict('sid').merge();
    expect(await signedIn(agent, customer)).toBe(false);
    // The account itself is open again: a new sign-in works.
    expect((await attemptLogin(customer.email, TEST_PASSWORD)).status).toBe(302);
  });
});
