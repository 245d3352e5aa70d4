// Forms reach their handlers only through validate(): a POST that no body parser took (no
// Content-Type, or JSON sent to a form) is an empty form, refused with 400 and a rendered page,
// never a 500; JSON bodies are validated like forms; ids in paths are read one way.
import type { Express } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createPlan } from '../helpers/rate-plans.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeOwnedDid } from '../helpers/factories.ts';
import { csrfToken, loginAs, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
const T0 = new Date('2026-06-01T00:00:00Z');
let app: Express;
let admin: AccountRow;
let reseller: AccountRow;

beforeAll(async () => {
  const db = database.current.db;
  app = createTestApp(db, { now: () => T0 });
  admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
});

/** A POST with the session's CSRF token in its header and no body at all. */
async function postWithoutBody(agent: Agent, path: string, formPage: string) {
  const token = await csrfToken(agent, formPage);
  return agent.post(path).set('X-CSRF-Token', token);
}

async function postJson(agent: Agent, path: string, body: unknown, formPage: string) {
  const token = await csrfToken(agent, formPage);
  return agent.post(path).set('X-CSRF-Token', token).set('Accept', 'text/html').type('json').send(JSON.stringify(body));
}

describe('a POST without a parsed body', () => {
  it('when the admin changes a number\'s status without a body, then it is 400 with the error page and the number is unchanged', async () => {
    const db = database.current.db;
    const did = await makeDid(db);
    const agent = await loginAs(app, admin.email);
    const response = await postWithoutBody(agent, `/admin/dids/${did.id}/status`, `/admin/dids/${did.id}`);
    expect(response.status).toBe(400);
    expect(response.type).toBe('text/html');
    expect(response.text).toContain('Choose active or inactive');
    expect((await db('products').where({ id: did.id }).first()).status).toBe('active');
  });

  it('when the admin assigns a plan to numbers without a body, then it is 400 with the error page and no number changes plan', async () => {
    const db = database.current.db;
    const did = await makeDid(db);
    const agent = await loginAs(app, admin.email);
    const response = await postWithoutBody(agent, '/admin/rate-plans/assign', '/admin/dids');
    expect(response.status).toBe(400);
    expect(response.text).toContain('Choose a rate plan');
    expect((await db('products').where({ id: did.id }).first()).rate_plan_id).toBeNull();
  });

  it('when a reseller applies a plan to one number without a body, then it is 400 with the error page', async () => {
    const agent = await loginAs(app, reseller.email);
    const response = await postWithoutBody(agent, '/reseller/rate-plans/apply-one', '/reseller/rate-plans');
    expect(response.status).toBe(400);
    expect(response.type).toBe('text/html');
  });

  it('when a reseller applies a plan to many numbers without a body, then nothing is selected: back to the form with its message, nothing applied', async () => {
    const db = database.current.db;
    const plan = await createPlan(db, reseller.id, { name: 'Bodiless', kind: 'markup', connection_markup_percent: '0', connection_markup_amount: '0', per_minute_markup_percent: '10', per_minute_markup_amount: '0' }, { actorId: reseller.id, now: T0 });
    const did = await makeOwnedDid(db, { owner: reseller });
    const agent = await loginAs(app, reseller.email);
    const response = await postWithoutBody(agent, `/reseller/rate-plans/${plan.plan.id}/apply`, `/reseller/rate-plans/${plan.plan.id}/apply`);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/reseller/rate-plans/${plan.plan.id}/apply`);
    expect(await db('reseller_prices').where({ product_id: did.id, rate_plan_id: plan.plan.id }).first()).toBeUndefined();
  });

  it('when an account form is posted without a body, then the form comes back with 400 and a message per field', async () => {
    const agent = await loginAs(app, admin.email);
    const response = await postWithoutBody(agent, '/admin/accounts/new', '/admin/accounts/new');
    expect(response.status).toBe(400);
    expect(response.text).toContain('Enter a name');
    expect(response.text).toContain('Enter an email address');
  });
});

describe('a JSON body on a form route', () => {
  it('when the status is sent as JSON with a value out of the list, then it is 400 and the number is unchanged', async () => {
    const db = database.current.db;
    const did = await makeDid(db);
    const agent = await loginAs(app, admin.email);
    const response = await postJson(agent, `/admin/dids/${did.id}/status`, { status: ['inactive'] }, `/admin/dids/${did.id}`);
    expect(response.status).toBe(400);
    expect((await db('products').where({ id: did.id }).first()).status).toBe('active');
  });

  it('when a valid status is sent as JSON, then it is applied as the form would be', async () => {
    const db = database.current.db;
    const did = await makeDid(db);
    const agent = await loginAs(app, admin.email);
    const response = await postJson(agent, `/admin/dids/${did.id}/status`, { status: 'inactive' }, `/admin/dids/${did.id}`);
    expect(response.status).toBe(302);
    expect((await db('products').where({ id: did.id }).first()).status).toBe('inactive');
  });
});

describe('ids in paths', () => {
  it.each(['x', '1.5', '-1', '1e3', '0x10', '1234567890123456'])('when a path id is %s, then the page is 404', async (id) => {
    const agent = await loginAs(app, admin.email);
    for (const path of [`/admin/dids/${id}`, `/admin/accounts/${id}`, `/admin/rate-plans/${id}`, `/admin/providers/${id}`, `/admin/calls/${id}`, `/admin/billing-runs/${id}`]) {
      expect((await agent.get(path)).status, path).toBe(404);
    }
  });
});
