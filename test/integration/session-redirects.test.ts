// A browser follows a redirect as soon as it has the headers. The session change made before the
// redirect (a flash message, a login) must be stored by then, or the next page reads the old
// session: a confirmation went missing that way under load. Here the session row is held locked,
// so its write cannot land, and the redirect must wait for it.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { SESSION_COOKIE } from '../../src/web/middleware/session.ts';
import { createTestApp } from '../helpers/app.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { TEST_PASSWORD, makeAccount, makeHierarchy } from '../helpers/factories.ts';
import { csrfTokenIn } from '../helpers/login.ts';

const database = useTestDatabase();

/** A bare client that keeps one session cookie and never follows redirects, like a slow tab. */
class Tab {
  cookie = '';
  constructor(private readonly baseUrl: string) {}

  async get(path: string): Promise<Response> {
    const response = await fetch(this.baseUrl + path, { headers: { cookie: this.cookie }, redirect: 'manual' });
    this.keepCookie(response);
    return response;
  }

  post(path: string, fields: Record<string, string>): Promise<Response> {
    return fetch(this.baseUrl + path, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    }).then((response) => {
      this.keepCookie(response);
      return response;
    });
  }

  get sessionId(): string {
    // The cookie is `s:<id>.<signature>`, URL-encoded.
    const value = decodeURIComponent(this.cookie.slice(`${SESSION_COOKIE}=`.length));
    return value.slice(2, value.lastIndexOf('.'));
  }

  private keepCookie(response: Response): void {
    const set = response.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`));
    if (set) this.cookie = set.split(';')[0] ?? '';
  }
}

/** Holds the session row locked until `release` is called, so no write to it can land. */
async function lockSession(db: Knex, sessionId: string): Promise<{ release(): Promise<void> }> {
  const trx = await db.transaction();
  const locked = await trx('session').where({ sid: sessionId }).forUpdate().select('sid');
  expect(locked).toHaveLength(1);
  return { release: async () => { await trx.commit(); } };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A held row lock needs a second connection; the embedded database has only one.
describe.skipIf(!testServerUrl())('redirects wait for the session to be stored (real Postgres)', () => {
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    const app = createTestApp(database.current.db);
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('when a confirmed payment redirects while its session write is held up, then the redirect waits and the next page shows the confirmation', async () => {
    const db = database.current.db;
    const people = await makeHierarchy(db);
    const payee = await makeAccount(db, { role: 'reseller', parent: people.admin });
    const tab = new Tab(baseUrl);
    const loginPage = await tab.get('/login');
    const signedIn = await tab.post('/login', { email: people.admin.email, password: TEST_PASSWORD, _csrf: csrfTokenIn(await loginPage.text()) });
    expect(signedIn.status).toBe(302);
    const form = await tab.get(`/admin/accounts/${payee.id}/money`);
    const token = csrfTokenIn(await form.text());

    const lock = await lockSession(db, tab.sessionId);
    let redirectedAt = 0;
    const confirming = tab
      .post(`/admin/accounts/${payee.id}/money/confirm`, {
        _csrf: token, kind: 'payment', amount: '12', note: 'wire', idempotency_key: randomUUID(), action: 'confirm',
      })
      .then((response) => {
        redirectedAt = Date.now();
        return response;
      });
    await settle(400); // long enough for the payment and the redirect's headers, were they not held
    const releasedAt = Date.now();
    await lock.release();
    const redirect = await confirming;

    expect(redirect.status).toBe(302);
    expect(redirectedAt).toBeGreaterThanOrEqual(releasedAt);
    const next = await tab.get(redirect.headers.get('location') ?? '');
    expect(await next.text()).toContain('Payment received of USD 12.0000 recorded');
  });

  it('when a visitor without a session is redirected, then no session is stored for it', async () => {
    const db = database.current.db;
    const before = await db('session').count({ n: '*' }).first();
    const tab = new Tab(baseUrl);
    const response = await tab.get('/admin');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toContain('/login');
    expect(tab.cookie).toBe('');
    expect(await db('session').count({ n: '*' }).first()).toEqual(before);
  });
});
