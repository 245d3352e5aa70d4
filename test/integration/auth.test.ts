import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { TEST_PASSWORD, makeAccount, makeHierarchy } from '../helpers/factories.ts';
import { csrfToken, csrfTokenIn, loginAs, postForm } from '../helpers/login.ts';

const database = useTestDatabase();
let app: Express;
let people: Awaited<ReturnType<typeof makeHierarchy>>;

beforeAll(async () => {
  app = createTestApp(database.current.db);
  people = await makeHierarchy(database.current.db);
});

async function attemptLogin(target: Express, email: string, password: string) {
  const agent = request.agent(target);
  const token = await csrfToken(agent);
  return agent.post('/login').type('form').send({ email, password, _csrf: token });
}

describe('login', () => {
  it.each([
    ['admin', '/admin'],
    ['reseller', '/reseller'],
    ['customer', '/customer'],
  ] as const)('when a %s logs in, then it lands on its own dashboard', async (role, home) => {
    const account: AccountRow = role === 'admin' ? people.admin : role === 'reseller' ? people.reseller : people.customer;
    const response = await attemptLogin(app, account.email, TEST_PASSWORD);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(home);
    const agent = await loginAs(app, account.email);
    const dashboard = await agent.get(home);
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain('<h1>Dashboard</h1>');
    expect(dashboard.text).toContain(account.name);
  });

  it('when the email is typed in another case, then the login still works', async () => {
    const response = await attemptLogin(app, people.reseller.email.toUpperCase(), TEST_PASSWORD);
    expect(response.status).toBe(302);
  });

  it('when the password is wrong or the email unknown, then both get the same message', async () => {
    const wrongPassword = await attemptLogin(app, people.customer.email, 'not-the-password');
    const unknownEmail = await attemptLogin(app, 'nobody@test.example', 'not-the-password');
    for (const response of [wrongPassword, unknownEmail]) {
      expect(response.status).toBe(401);
      expect(response.text).toContain('Wrong email or password.');
    }
    // The email typed is kept, the password is not.
    expect(wrongPassword.text).toContain(`value="${people.customer.email}"`);
    expect(wrongPassword.text).not.toContain('not-the-password');
  });

  it('when fields are empty, then each gets its own message', async () => {
    const response = await attemptLogin(app, '', '');
    expect(response.status).toBe(400);
    expect(response.text).toContain('Enter your email');
    expect(response.text).toContain('Enter your password');
  });

  it.each(['suspended', 'closed'] as const)('when the account is %s, then it cannot log in', async (status) => {
    const account = await makeAccount(database.current.db, { role: 'customer', parent: people.admin, status });
    const response = await attemptLogin(app, account.email, TEST_PASSWORD);
    expect(response.status).toBe(401);
    expect(response.text).toContain('suspended or closed');
  });

  it('when an account is suspended while logged in, then its next request is sent to the login page', async () => {
    const account = await makeAccount(database.current.db, { role: 'customer', parent: people.admin });
    const agent = await loginAs(app, account.email);
    expect((await agent.get('/customer')).status).toBe(200);
    await database.current.db('accounts').where({ id: account.id }).update({ status: 'suspended' });
    const response = await agent.get('/customer');
    expect(response.status).toBe(302);
    expect(response.headers.location).toMatch(/^\/login/);
  });

  it('when someone logs in, then the session id changes (no session fixation)', async () => {
    const agent = request.agent(app);
    const form = await agent.get('/login');
    const before = /didhub\.sid=([^;]+)/.exec(String(form.headers['set-cookie']))?.[1];
    const response = await agent
      .post('/login')
      .type('form')
      .send({ email: people.admin.email, password: TEST_PASSWORD, _csrf: csrfTokenIn(form.text) });
    const after = /didhub\.sid=([^;]+)/.exec(String(response.headers['set-cookie']))?.[1];
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('when the login form is sent without its CSRF token, then it is refused', async () => {
    const response = await request(app).post('/login').type('form').send({ email: people.admin.email, password: TEST_PASSWORD });
    expect(response.status).toBe(403);
    expect(response.text).toContain('This form has expired');
  });

  it('when a next path is given, then login returns there, but never to another site', async () => {
    const agent = request.agent(app);
    const token = await csrfToken(agent, '/login?next=/admin');
    const local = await agent.post('/login').type('form').send({ email: people.admin.email, password: TEST_PASSWORD, _csrf: token, next: '/admin?x=1' });
    expect(local.headers.location).toBe('/admin?x=1');
    const other = request.agent(app);
    const token2 = await csrfToken(other);
    const offsite = await other.post('/login').type('form').send({ email: people.admin.email, password: TEST_PASSWORD, _csrf: token2, next: '//evil.example/' });
    expect(offsite.headers.location).toBe('/admin');
  });
});

describe('logout and pages', () => {
  it('when a user logs out, then its session no longer opens pages', async () => {
    const agent = await loginAs(app, people.reseller.email);
    const token = await csrfToken(agent, '/reseller');
    const response = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/login');
    const after = await agent.get('/reseller');
    expect(after.status).toBe(302);
    expect(after.headers.location).toBe('/login?next=%2Freseller');
  });

  it('when a visitor opens a role page, then it is sent to the login page', async () => {
    for (const path of ['/admin', '/reseller', '/customer', '/account/password']) {
      const response = await request(app).get(path);
      expect(response.status).toBe(302);
      expect(response.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it("when a role opens another role's pages, then it gets the 403 page in the layout", async () => {
    const customer = await loginAs(app, people.customer.email);
    for (const path of ['/admin', '/reseller']) {
      const response = await customer.get(path);
      expect(response.status).toBe(403);
      expect(response.text).toContain('class="topbar"');
      expect(response.text).toContain('Forbidden');
    }
    const reseller = await loginAs(app, people.reseller.email);
    expect((await reseller.get('/admin')).status).toBe(403);
    expect((await reseller.get('/customer')).status).toBe(403);
  });

  it('when a page does not exist, then the 404 page is shown in the layout', async () => {
    const agent = await loginAs(app, people.admin.email);
    const response = await agent.get('/admin/no-such-page');
    expect(response.status).toBe(404);
    expect(response.text).toContain('Page not found');
    expect(response.text).toContain(people.admin.name);
  });

  it('when a page is served, then security headers are set', async () => {
    const response = await request(app).get('/login');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    // Forms post to us only; Add funds redirects on to Stripe Checkout, which form-action must allow.
    expect(response.headers['content-security-policy']).toContain("form-action 'self' https://checkout.stripe.com;");
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(String(response.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Lax/);
  });
});

describe('change password', () => {
  it('when the current password is right and the new one valid, then only the new one logs in', async () => {
    const account = await makeAccount(database.current.db, { role: 'customer', parent: people.admin });
    const agent = await loginAs(app, account.email);
    const response = await postForm(agent, '/account/password', { current: TEST_PASSWORD, next: 'a-brand-new-secret', confirm: 'a-brand-new-secret' });
    expect(response.status).toBe(302);
    expect((await agent.get('/customer')).text).toContain('Your password has been changed.');
    expect((await attemptLogin(app, account.email, TEST_PASSWORD)).status).toBe(401);
    expect((await attemptLogin(app, account.email, 'a-brand-new-secret')).status).toBe(302);
  });

  it.each([
    [{ current: 'wrong-current-pass', next: 'another-secret-1', confirm: 'another-secret-1' }, 'This is not your current password'],
    [{ current: TEST_PASSWORD, next: 'short', confirm: 'short' }, 'Use at least 10 characters'],
    [{ current: TEST_PASSWORD, next: 'another-secret-1', confirm: 'another-secret-2' }, 'The two new passwords differ'],
    [{ current: TEST_PASSWORD, next: TEST_PASSWORD, confirm: TEST_PASSWORD }, 'Choose a password other than the current one'],
  ])('when the form is %o, then it says "%s" and changes nothing', async (fields, message) => {
    const account = await makeAccount(database.current.db, { role: 'reseller', parent: people.admin });
    const agent = await loginAs(app, account.email);
    const response = await postForm(agent, '/account/password', fields);
    expect(response.status).toBe(400);
    expect(response.text).toContain(message);
    expect((await attemptLogin(app, account.email, TEST_PASSWORD)).status).toBe(302);
  });
});
