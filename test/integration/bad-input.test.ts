// Bad input on the pages: a NUL byte, a body too large or not JSON, a forged form. Each gets a
// 4xx with a rendered page (or JSON for a client that asks for it), never a 500.
import type { Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeHierarchy } from '../helpers/factories.ts';
import { csrfToken, loginAs, postForm, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
let app: Express;
let logged: string[];
let people: Awaited<ReturnType<typeof makeHierarchy>>;
let admin: Agent;

beforeAll(async () => {
  const db = database.current.db;
  logged = [];
  const logger = pino({ level: 'warn', base: undefined }, { write: (line: string) => void logged.push(line) });
  app = createApp({ db, config: testConfig(), logger });
  people = await makeHierarchy(db);
  admin = await loginAs(app, people.admin.email);
});

describe('NUL bytes', () => {
  it('when someone signs in with a NUL byte in the email, then 400 with a message and no session', async () => {
    const agent = request.agent(app);
    const token = await csrfToken(agent);
    const response = await agent.post('/login').type('form').send({ email: 'a\u0000b@example.com', password: 'x', _csrf: token });
    expect(response.status).toBe(400);
    expect(response.text).toContain('NUL character');
    expect((await agent.get('/admin')).status).toBe(302);
  });

  it.each([
    '/admin/accounts?q=a%00b',
    '/admin/calls?number=%2B1%00',
    '/admin/dids?q=%00',
    '/admin/rejected-cdrs?source=api%00',
    '/admin/accounts/export.csv?q=%00',
    '/admin/calls/export.csv?caller=%00',
    '/admin/transactions?from=2026%00',
  ])('when a list filter holds a NUL byte (%s), then 400 with a rendered page', async (path) => {
    const response = await admin.get(path);
    expect(response.status).toBe(400);
    expect(response.text).toContain('<title>Bad request · didhub</title>');
    expect(response.text).toContain('NUL character');
  });

  it('when a form field holds a NUL byte, then 400 and nothing is stored', async () => {
    const before = await database.current.db('providers').count({ n: '*' }).first();
    const response = await postForm(admin, '/admin/providers', { name: 'Evil\u0000Carrier' }, '/admin/providers/new');
    expect(response.status).toBe(400);
    expect(response.text).toContain('NUL character');
    expect(await database.current.db('providers').count({ n: '*' }).first()).toEqual(before);
  });

  it('when a JSON client sends a NUL byte, then the answer is JSON', async () => {
    const token = await csrfToken(admin, '/admin/providers/new');
    const response = await admin.post('/admin/providers').set('Accept', 'application/json').send({ name: 'a\u0000', _csrf: token });
    expect(response.status).toBe(400);
    expect(response.body.error).toContain('NUL character');
  });
});

describe('bodies the parser refuses', () => {
  it('when a form is larger than 1 MB, then 413 with a rendered page', async () => {
    const response = await admin.post('/admin/providers').type('form').send(`name=${'x'.repeat(1_100_000)}`);
    expect(response.status).toBe(413);
    expect(response.text).toContain('<title>Too large · didhub</title>');
    expect(response.text).toContain('larger than didhub accepts');
  });

  it('when a body is not valid JSON, then 400: a page for a browser, JSON for a JSON client', async () => {
    const page = await admin.post('/admin/providers').set('Content-Type', 'application/json').send('{"name":');
    expect(page.status).toBe(400);
    expect(page.text).toContain('not valid JSON');
    expect(page.text).toContain('<!doctype html>');
    const json = await admin.post('/admin/providers').set('Accept', 'application/json').set('Content-Type', 'application/json').send('{"name":');
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ error: 'The request body is not valid JSON.' });
  });

  it('when a body is in a character set nobody reads, then 415, not 500', async () => {
    const response = await admin.post('/admin/providers').set('Content-Type', 'application/json; charset=latin1').send('{}');
    expect(response.status).toBe(415);
  });
});

describe('the error page', () => {
  it('when a signed-in form fails the CSRF check, then the whole page renders (menu and log-out form) and nothing is logged', async () => {
    logged.length = 0;
    const response = await admin.post('/admin/providers').type('form').send({ name: 'No token' });
    expect(response.status).toBe(403);
    expect(response.text).toContain('<title>Forbidden · didhub</title>');
    expect(response.text).toMatch(/name="_csrf" value="[^"]+"/);
    expect(response.text).toContain('Log out');
    expect(logged.join('\n')).not.toContain('failed to render');
  });

  it('when an anonymous form fails the CSRF check, then the page renders', async () => {
    logged.length = 0;
    const response = await request(app).post('/login').type('form').send({ email: 'x@example.com', password: 'x' });
    expect(response.status).toBe(403);
    expect(response.text).toContain('<title>Forbidden · didhub</title>');
    expect(logged.join('\n')).not.toContain('failed to render');
  });

  it('when the body parser refuses a form, then nothing is logged as an unhandled error', async () => {
    logged.length = 0;
    await admin.post('/admin/providers').set('Content-Type', 'application/json').send('[');
    await admin.post('/admin/providers').type('form').send(`name=${'x'.repeat(1_100_000)}`);
    expect(logged).toEqual([]);
  });
});
