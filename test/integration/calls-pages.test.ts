import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeOwnedDid, makeSwitch } from '../helpers/factories.ts';
import { loginAs, postForm } from '../helpers/login.ts';
import { dialplanForm, postDialplan, routeOf } from '../helpers/switch.ts';

const database = useTestDatabase();
let app: Express;
let token: string;
let admin: AccountRow;
let reseller: AccountRow;
let customer: AccountRow;
let direct: AccountRow;
let customerNumber: string;
let directNumber: string;
const callIds: Record<string, number> = {};

async function sendCdrs(records: object[]) {
  const response = await request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`).send(records);
  expect(response.status).toBe(200);
  return response.body.results as Array<{ uuid: string; call_id: number }>;
}

beforeAll(async () => {
  const db = database.current.db;
  app = createTestApp(db);
  admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
  customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '100' });
  direct = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
  token = (await makeSwitch(db, { admin })).token;
  customerNumber = (await makeOwnedDid(db, { owner: customer, reseller })).number;
  directNumber = (await makeOwnedDid(db, { owner: direct })).number;
  const results = await sendCdrs([
    // Customer of the reseller, 125 s: customer 0.20 + 1.20 × 3 min = 3.8000; reseller 1.3000.
    { uuid: 'page-a', destination: customerNumber, caller: '+15105550001', started_at: '2026-11-20T10:00:00Z', answered_at: '2026-11-20T10:00:04Z', ended_at: '2026-11-20T10:02:09Z', billsec: 125 },
    // Direct customer, 71 s: 0.7600.
    { uuid: 'page-b', destination: directNumber, caller: '+15105550002', started_at: '2026-11-25T10:00:00Z', answered_at: '2026-11-25T10:00:02Z', ended_at: '2026-11-25T10:01:13Z', billsec: 71 },
  ]);
  for (const r of results) callIds[r.uuid] = r.call_id;
});

describe('Calls pages', () => {
  it('when a customer opens Calls, then it sees its own calls with its cost, and not others', async () => {
    const agent = await loginAs(app, customer.email);
    const page = await agent.get('/customer/calls');
    expect(page.status).toBe(200);
    expect(page.text).toContain(customerNumber);
    expect(page.text).toContain('+15105550001');
    // The caller is a number too: grouped as every number is (its E.164 kept in data-e164).
    expect(page.text).toContain('<span class="digits">+1 510 555 0001</span>');
    expect(page.text).toContain('$3.8000');
    expect(page.text).not.toContain(directNumber);
    expect(page.text).not.toContain('$1.3000');
    expect(page.text).toContain('data-total="1"');
  });

  it('when a reseller opens Calls, then it sees its customer\'s calls with its cost, the customer\'s price and its margin', async () => {
    const agent = await loginAs(app, reseller.email);
    const page = await agent.get('/reseller/calls');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-col="your-cost">\$1\.3000/);
    expect(page.text).toMatch(/data-col="customer-paid">\$3\.8000/);
    expect(page.text).toMatch(/data-col="margin">\$2\.5000/);
    expect(page.text).not.toContain(directNumber);
    // Durations as a clock reads them, the exact seconds on hover: answered 125 s, billed 180 s.
    expect(page.text).toContain('<time class="duration" datetime="PT125S" title="125 seconds">2:05</time> → <time class="duration" datetime="PT180S" title="180 seconds">3:00</time>');
  });

  it('when the admin opens Calls, then it sees every call with the margin at each level', async () => {
    const agent = await loginAs(app, admin.email);
    const page = await agent.get('/admin/calls');
    expect(page.text).toContain('data-total="2"');
    const chainRow = page.text.slice(page.text.indexOf(`data-call="${callIds['page-a']}"`));
    expect(chainRow).toMatch(/data-col="owner-paid">\$3\.8000/);
    expect(chainRow).toMatch(/data-col="reseller-paid">\$1\.3000/);
    expect(chainRow).toMatch(/data-col="reseller-margin">\$2\.5000/);
    expect(chainRow).toMatch(/data-col="operator-revenue">\$1\.3000/);
    const directRow = page.text.slice(page.text.indexOf(`data-call="${callIds['page-b']}"`));
    expect(directRow).toMatch(/data-col="operator-revenue">\$0\.7600/);
  });

  it('when filters by number and date are given, then only matching calls are listed; a bad date is explained', async () => {
    const agent = await loginAs(app, admin.email);
    const byNumber = await agent.get(`/admin/calls?number=${encodeURIComponent(directNumber.slice(-6))}`);
    expect(byNumber.text).toContain('data-total="1"');
    expect(byNumber.text).toContain(directNumber);
    const byDate = await agent.get('/admin/calls?from=2026-11-24&to=2026-11-30');
    expect(byDate.text).toContain('data-total="1"');
    expect(byDate.text).toContain(directNumber);
    const none = await agent.get('/admin/calls?from=2026-12-01');
    expect(none.text).toContain('No calls match these filters');
    const bad = await agent.get('/admin/calls?from=2026-13-45');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('This is not a date');
  });

  it('when a call is opened, then its rating breakdown is shown for each level the viewer may see', async () => {
    const resellerAgent = await loginAs(app, reseller.email);
    const detail = await resellerAgent.get(`/reseller/calls/${callIds['page-a']}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('connection 0.2000 + initial 60 s 1.2000 + 2 × 60 s 2.4000 = 3.8000');
    expect(detail.text).toContain('connection 0.1000 + grace 10 s free + initial 60 s 0.6000 + 10 × 6 s 0.6000 = 1.3000');
    const customerAgent = await loginAs(app, customer.email);
    const own = await customerAgent.get(`/customer/calls/${callIds['page-a']}`);
    expect(own.text).toContain('= 3.8000');
    expect(own.text).toContain('data-e164="+15105550001"');
    expect(own.text).not.toContain('= 1.3000');
  });

  it("when someone opens another tenant's call, then 404", async () => {
    const customerAgent = await loginAs(app, customer.email);
    expect((await customerAgent.get(`/customer/calls/${callIds['page-b']}`)).status).toBe(404);
    const resellerAgent = await loginAs(app, reseller.email);
    expect((await resellerAgent.get(`/reseller/calls/${callIds['page-b']}`)).status).toBe(404);
  });

  it('when calls are exported, then the CSV holds plain decimals within the scope', async () => {
    const resellerAgent = await loginAs(app, reseller.email);
    const csv = await resellerAgent.get('/reseller/calls/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('started_at,caller,number,duration_seconds,billsec,billed_seconds,cost,customer_price,margin,hangup_cause,uuid');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`2026-11-20T10:00:00.000Z,+15105550001,${customerNumber},129,125,180,1.3000,3.8000,2.5000,,page-a`);
    const adminAgent = await loginAs(app, admin.email);
    const all = await adminAgent.get('/admin/calls/export.csv?number=' + encodeURIComponent(directNumber));
    expect(all.text.trim().split('\n')).toHaveLength(2);
    expect(all.text).toContain(',0.7600,');
  });
});

describe('Switches page', () => {
  it('when the admin registers a switch, then its token is shown once and works for route requests', async () => {
    const agent = await loginAs(app, admin.email);
    const created = await postForm(agent, '/admin/switches', { name: 'fs-page-test', allowed_addresses: '' });
    expect(created.status).toBe(201);
    const shown = /data-token>([^<]+)</.exec(created.text)?.[1];
    expect(shown).toMatch(/^dh_/);
    const list = await agent.get('/admin/switches');
    expect(list.text).toContain('fs-page-test');
    expect(list.text).not.toContain(shown!);
    const route = await postDialplan(app, shown!, dialplanForm(directNumber, randomUUID()));
    expect(routeOf(route.text).bridge).toBeDefined();
    const row = await database.current.db('switches').where({ name: 'fs-page-test' }).first();
    expect(row.token_hash).not.toContain(shown!);
    expect(row.token_hash).toHaveLength(64);
  });

  it('when the allowed addresses are not IPs, then the form says so', async () => {
    const agent = await loginAs(app, admin.email);
    const response = await postForm(agent, '/admin/switches', { name: 'fs-bad', allowed_addresses: '10.0.0.0/33, nonsense' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('the prefix length must be 0 to 32');
  });

  it('when a switch gets a new token, then the old one stops working', async () => {
    const db = database.current.db;
    const sw = await makeSwitch(db, { admin, name: 'fs-rotate' });
    const agent = await loginAs(app, admin.email);
    const rotated = await postForm(agent, `/admin/switches/${sw.id}`, { action: 'rotate' }, '/admin/switches');
    const fresh = /data-token>([^<]+)</.exec(rotated.text)?.[1];
    expect(fresh).toMatch(/^dh_/);
    expect((await postDialplan(app, sw.token, dialplanForm(directNumber))).status).toBe(401);
    expect((await postDialplan(app, fresh!, dialplanForm(directNumber))).status).toBe(200);
    const audit = await db('audit_log').where({ entity_type: 'switch', entity_id: sw.id }).orderBy('id');
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['switch.create', 'switch.rotate_token']);
  });

  it('when the form is posted without its CSRF token, or by a reseller, then it is refused', async () => {
    const agent = await loginAs(app, admin.email);
    expect((await agent.post('/admin/switches').type('form').send({ name: 'x' })).status).toBe(403);
    const resellerAgent = await loginAs(app, reseller.email);
    expect((await resellerAgent.get('/admin/switches')).status).toBe(403);
    expect((await resellerAgent.get('/admin/rejected-cdrs')).status).toBe(403);
  });
});

describe('Rejected CDRs page', () => {
  it('when a CDR was rejected, then the admin sees its reason and the record as received', async () => {
    const bad = await request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`).send([{ uuid: 'reject-me', destination: directNumber, billsec: 'x' }]);
    expect(bad.status).toBe(400);
    const agent = await loginAs(app, admin.email);
    const list = await agent.get('/admin/rejected-cdrs?source=api');
    expect(list.status).toBe(200);
    expect(list.text).toContain('reject-me');
    expect(list.text).toContain('started_at is missing or not a time');
    const id = /data-rejected="(\d+)"/.exec(list.text)?.[1];
    const detail = await agent.get(`/admin/rejected-cdrs/${id}`);
    expect(detail.text).toContain('&#34;uuid&#34;: &#34;reject-me&#34;');
  });
});
