// "Forgot password?" over HTTP: the same answer for any email, a single-use link that expires in
// 30 minutes, every session ended by the reset, requests limited per address and per email; and
// the welcome link of an account created without a typed password.
import request from 'supertest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { captureEvents } from '../helpers/events.ts';
import { TEST_PASSWORD, makeAccount, makeHierarchy } from '../helpers/factories.ts';
import { csrfToken, loginAs, postForm, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
const events = captureEvents();
const PUBLIC_URL = 'https://portal.example.com';
const config = testConfig({ PUBLIC_URL, PASSWORD_RESET_MAX_REQUESTS: '3', TRUST_PROXY: 'true' });
let db: Knex;
let app: Express;
let clock = new Date('2027-03-01T10:00:00Z');
let people: Awaited<ReturnType<typeof makeHierarchy>>;

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { config, now: () => clock });
  people = await makeHierarchy(db);
});

beforeEach(async () => {
  events.clear();
  clock = new Date('2027-03-01T10:00:00Z');
  await db('login_attempts').delete();
});

let address = 0;
/** Each request from an address of its own unless told, so the per-address limit stays out of the way. */
async function askForReset(email: string, from = `203.0.113.${++address % 250}`) {
  const agent = request.agent(app);
  const token = await csrfToken(agent, '/password/forgot');
  return agent.post('/password/forgot').set('X-Forwarded-For', from).type('form').send({ email, _csrf: token });
}

function linkPath(url: unknown): string {
  expect(String(url).startsWith(`${PUBLIC_URL}/password/reset/`)).toBe(true);
  return new URL(String(url)).pathname;
}

async function resetLinkFor(account: AccountRow): Promise<string> {
  await askForReset(account.email);
  const [event] = events.of('password.reset', account.id);
  return linkPath(event?.data.reset_url);
}

async function setPassword(path: string, password: string, confirm = password) {
  const agent = request.agent(app);
  // The session's token from a page that always has a form: a spent link's page has none.
  const token = await csrfToken(agent, '/password/forgot');
  return agent.post(path).type('form').send({ password, confirm, _csrf: token });
}

async function signedIn(agent: Agent, account: AccountRow): Promise<boolean> {
  return (await agent.get(`/${account.role}`)).status === 200;
}

describe('forgot password', () => {
  it('when the login page is shown, then it links to the forgot-password form', async () => {
    const page = await request(app).get('/login');
    expect(page.text).toContain('href="/password/forgot"');
    expect((await request(app).get('/password/forgot')).text).toContain('Send the link');
  });

  it('when a known and an unknown email ask, then both get the same page and only the known account gets a 30-minute link', async () => {
    const account = await makeAccount(db, { parent: people.admin });
    const known = await askForReset(account.email.toUpperCase());
    const unknown = await askForReset('nobody-here@test.example');
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const strip = (html: string, email: string) => html.replace(email, 'EMAIL').replace(/name="_csrf" value="[^"]+"/, '');
    expect(strip(known.text, account.email.toUpperCase())).toBe(strip(unknown.text, 'nobody-here@test.example'));
    expect(known.text).toContain('If <strong>');

    expect(events.of('password.reset')).toHaveLength(1);
    const [event] = events.of('password.reset', account.id);
    expect(event?.data.expires_at).toBe('2027-03-01T10:30:00.000Z');
    const token = linkPath(event?.data.reset_url).split('/').pop()!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the token's hash is kept.
    const rows = await db('account_tokens').where({ account_id: account.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ purpose: 'reset', used_at: null });
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('when a suspended account asks, then the page is the same and no link is made', async () => {
    const account = await makeAccount(db, { parent: people.admin, status: 'suspended' });
    const response = await askForReset(account.email);
    expect(response.status).toBe(200);
    expect(response.text).toContain('Check your mail');
    expect(events.of('password.reset', account.id)).toHaveLength(0);
  });

  it('when the email is not an email, then the form comes back with a message and the input kept', async () => {
    const response = await askForReset('not an email');
    expect(response.status).toBe(400);
    expect(response.text).toContain('Enter an email address like name@example.com');
    expect(response.text).toContain('value="not an email"');
  });
});

describe('the reset link', () => {
  it('when the link is used, then the new password works, the old one and every session end, and the link works no more', async () => {
    const account = await makeAccount(db, { parent: people.admin });
    const before = [await loginAs(app, account.email), await loginAs(app, account.email)];
    const path = await resetLinkFor(account);

    const form = await request(app).get(path);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Choose a new password');
    expect(form.text).toContain(account.email);

    const done = await setPassword(path, 'a-brand-new-secret');
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/login');
    for (const agent of before) expect(await signedIn(agent, account)).toBe(false);
    expect(await db('session').whereRaw("sess->>'accountId' = ?", [String(account.id)])).toHaveLength(0);
    await expect(loginAs(app, account.email, TEST_PASSWORD)).rejects.toThrow(/failed with 401/);
    await loginAs(app, account.email, 'a-brand-new-secret');

    const again = await request(app).get(path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link no longer works');
    expect((await setPassword(path, 'another-new-secret')).status).toBe(410);
    await loginAs(app, account.email, 'a-brand-new-secret');
  });

  it('when two links were sent, then using one voids the other', async () => {
    const account = await makeAccount(db, { parent: people.admin });
    await askForReset(account.email);
    await askForReset(account.email);
    const [first, second] = events.of('password.reset', account.id).map((event) => linkPath(event.data.reset_url));
    expect((await setPassword(second!, 'second-link-secret')).status).toBe(302);
    expect((await setPassword(first!, 'first-link-secret')).status).toBe(410);
    await loginAs(app, account.email, 'second-link-secret');
  });

  it('when 30 minutes have passed, then the link shows the expired page and changes nothing', async () => {
    const account = await makeAccount(db, { parent: people.admin });
    const path = await resetLinkFor(account);
    clock = new Date('2027-03-01T10:29:59Z');
    expect((await request(app).get(path)).status).toBe(200);
    clock = new Date('2027-03-01T10:30:00Z');
    const page = await request(app).get(path);
    expect(page.status).toBe(410);
    expect(page.text).toContain('has expired');
    expect((await setPassword(path, 'too-late-secret')).status).toBe(410);
    await loginAs(app, account.email, TEST_PASSWORD);
  });

  it('when the token is unknown or malformed, then the same clear page answers', async () => {
    for (const token of ['A'.repeat(43), 'short', 'x'.repeat(44)]) {
      const page = await request(app).get(`/password/reset/${token}`);
      expect(page.status, token).toBe(410);
      expect(page.text).toContain('Ask for a new link');
    }
  });

  it('when the new passwords are too short or differ, then the form says so and the link still works', async () => {
    const account = await makeAccount(db, { parent: people.admin });
    const path = await resetLinkFor(account);
    const short = await setPassword(path, 'short');
    expect(short.status).toBe(400);
    expect(short.text).toContain('Use at least 10 characters');
    const differ = await setPassword(path, 'one-long-password', 'another-long-one');
    expect(differ.status).toBe(400);
    expect(differ.text).toContain('The two passwords differ');
    expect((await setPassword(path, 'finally-the-same')).status).toBe(302);
  });
});

describe('the reset request limit', () => {
  it('when one address asks more than the limit, then it is refused with 429, whatever the email', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await askForReset(`someone-${i}@test.example`, '198.51.100.7')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await askForReset('someone-else@test.example', '198.51.100.7');
    expect(refused.text).toContain('Too many reset requests');
    expect(refused.headers['retry-after']).toBeDefined();
  });

  it('when many addresses ask for one email, then that email is limited too and no more links are made', async () => {
    const account = await makeAccount(db, { parent: people.admin });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await askForReset(account.email, `192.0.2.${i + 1}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(events.of('password.reset', account.id)).toHaveLength(3);
    // The sign-in limit is a count of its own.
    await loginAs(app, account.email);
  });
});

describe('the welcome link', () => {
  const newAccount = (overrides: Record<string, string> = {}) => ({
    name: 'Welcome Ltd', email: `welcome-${Math.random().toString(36).slice(2)}@test.example`, role: 'customer', parent_id: String(people.admin.id),
    billing_mode: 'prepaid', credit_limit: '0', max_concurrent_calls: '0', status: 'active', ...overrides,
  });

  it('when the admin creates an account with the default choice, then a 7-day set-password link is recorded and sets the password once', async () => {
    const admin = await loginAs(app, people.admin.email);
    const form = await admin.get('/admin/accounts/new');
    expect(form.text).toMatch(/<option value="link"\s+selected>Send a set-password link<\/option>/);
    const fields = newAccount();
    const created = await postForm(admin, '/admin/accounts/new', { ...fields, password_mode: 'link' });
    expect(created.status).toBe(302);
    const account = (await db('accounts').where({ email: fields.email }).first()) as AccountRow;
    const [event] = events.of('account.welcome', account.id);
    expect(event?.data.expires_at).toBe('2027-03-08T10:00:00.000Z');
    const path = linkPath(event?.data.set_password_url);

    const page = await request(app).get(path);
    expect(page.text).toContain('Set your password');
    expect((await setPassword(path, 'my-own-first-secret')).status).toBe(302);
    await loginAs(app, fields.email, 'my-own-first-secret');
    expect((await request(app).get(path)).status).toBe(410);
  });

  it('when a reseller creates a customer without a password, then the customer gets the link too', async () => {
    const reseller = await loginAs(app, people.reseller.email);
    const fields = newAccount({ parent_id: '' });
    expect((await postForm(reseller, '/reseller/customers/new', fields)).status).toBe(302);
    const account = (await db('accounts').where({ email: fields.email }).first()) as AccountRow;
    expect(account.parent_id).toBe(people.reseller.id);
    expect(events.of('account.welcome', account.id)).toHaveLength(1);
  });

  it('when the creator types a password, then no link is sent and the password works; "typed" without one is refused', async () => {
    const admin = await loginAs(app, people.admin.email);
    const fields = newAccount({ password_mode: 'typed', password: 'typed-by-the-admin' });
    expect((await postForm(admin, '/admin/accounts/new', fields)).status).toBe(302);
    expect(events.of('account.welcome')).toHaveLength(0);
    await loginAs(app, fields.email, 'typed-by-the-admin');

    const missing = await postForm(admin, '/admin/accounts/new', newAccount({ password_mode: 'typed' }));
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Type a password of at least 10 characters, or choose to send a set-password link');
  });
});
