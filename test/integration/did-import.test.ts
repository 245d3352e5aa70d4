import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeHierarchy, makeProvider } from '../helpers/factories.ts';
import { csrfToken, loginAs, postForm, type Agent } from '../helpers/login.ts';

const source = useTestDatabase();
const target = useTestDatabase();
let app: Express;
let admin: Agent;
let people: Awaited<ReturnType<typeof makeHierarchy>>;
let atlas: { id: number; name: string };

const db = () => source.current.db;

async function upload(agent: Agent, csv: string, params: Record<string, string> = {}) {
  const token = await csrfToken(agent, '/admin/dids/import');
  const query = new URLSearchParams({ filename: 'numbers.csv', ...params }).toString();
  return agent.post(`/admin/dids/import?${query}`).set('X-CSRF-Token', token).set('Accept', 'application/json').type('text/csv').send(csv);
}

beforeAll(async () => {
  app = createTestApp(db());
  people = await makeHierarchy(db());
  atlas = await makeProvider(db(), 'Atlas Carrier');
  await makeProvider(db(), 'Euronet Numbers');
  admin = await loginAs(app, people.admin.email);
});

describe('previewing and importing a CSV file', () => {
  const csv = [
    // Columns by name, in another order than the form, labels and names mixed, one unknown column.
    'Cost per minute,DID,provider,monthly_fee,Grace Time (Sec.),billing_type,billing_days,colour',
    '0.0120,+44 20 7946 1001,Atlas Carrier,2.50,5,recurring,30,blue',
    '0.0120,+44 20 7946 1002,,2.50,5,recurring,30,',
    '0.0120,not-a-number,Atlas Carrier,2.50,5,recurring,30,',
    '0.0120,+44 20 7946 1001,Atlas Carrier,2.50,5,recurring,30,',
    '0.0120,+44 20 7946 0999,Atlas Carrier,2.50,5,recurring,30,',
    '0.0120,+44 20 7946 1003,Nobody Telecom,2.50,5,recurring,30,',
    '-0.5,+44 20 7946 1004,Atlas Carrier,abc,5,recurring,30,',
    '0.0085,+1 (415) 555-0124,euronet numbers,1.50,0,one time,0,',
  ].join('\n');

  let location: string;

  it('when the file is uploaded, then the preview counts valid rows and lists every invalid row with its line and reason, writing nothing', async () => {
    await makeDid(db(), { number: '+442079460999', country: 'GB', provider_id: atlas.id });
    const before = Number((await db()('products').count({ count: '*' }).first())!.count);
    const response = await upload(admin, csv, { provider: String(atlas.id) });
    expect(response.status).toBe(201);
    location = response.body.location;
    const page = await admin.get(location);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-stat="rows">8</);
    expect(page.text).toMatch(/data-stat="valid">3</);
    expect(page.text).toMatch(/data-stat="invalid">5</);
    const reasons = Object.fromEntries([...page.text.matchAll(/<tr data-line="(\d+)">.*?<td class="wrap">([^<]*)<\/td>/gs)].map((m) => [Number(m[1]), m[2]]));
    expect(reasons[4]).toContain('is not a phone number');
    expect(reasons[5]).toBe('DID: duplicate of line 2 in this file');
    expect(reasons[6]).toBe('DID: already in the inventory');
    expect(reasons[7]).toBe('Provider: unknown provider &#34;Nobody Telecom&#34;');
    expect(reasons[8]).toContain('Cost per minute: Must not be negative');
    expect(reasons[8]).toContain('Monthly Fee: &#34;abc&#34; is not an amount');
    expect(Object.keys(reasons)).toHaveLength(5);
    expect(page.text).toContain('Columns ignored (no such field): colour');
    expect(Number((await db()('products').count({ count: '*' }).first())!.count)).toBe(before);
  });

  it('when "Import valid rows" is pressed, then the valid rows are written with the defaults, audited, and nobody is charged', async () => {
    const ledgerBefore = Number((await db()('ledger_entries').count({ count: '*' }).first())!.count);
    const response = await postForm(admin, `${location}/commit`, {}, location);
    expect(response.status).toBe(302);
    const rows = await db()('products').whereIn('number', ['+442079461001', '+442079461002', '+14155550124']).orderBy('number');
    expect(rows.map((row) => [row.number, row.provider_id === atlas.id, row.country, row.billing_type, row.reseller_id, row.customer_id])).toEqual([
      ['+14155550124', false, 'US', 'one_time', null, null],
      ['+442079461001', true, 'GB', 'recurring', null, null],
      ['+442079461002', true, 'GB', 'recurring', null, null],
    ]);
    expect(rows[1]).toMatchObject({ cost_per_minute: '0.012000', grace_seconds: 5, monthly_fee: '2.500000', increment: 60, status: 'active' });
    const audit = await db()('audit_log').where({ action: 'did.import' }).whereIn('entity_id', rows.map((row) => row.id));
    expect(audit).toHaveLength(3);
    expect(audit.every((row) => row.actor_id === people.admin.id)).toBe(true);
    const after = audit.find((row) => row.entity_id === rows[1].id).after;
    expect(typeof after === 'string' ? JSON.parse(after) : after).toMatchObject({ number: '+442079461001', monthly_fee: '2.500000', grace_seconds: 5, reseller_id: null });
    expect(Number((await db()('ledger_entries').count({ count: '*' }).first())!.count)).toBe(ledgerBefore);
    expect((await admin.get(location)).text).toContain('This file was imported on');
    const again = await postForm(admin, `${location}/commit`, {}, '/admin/dids/import');
    expect(again.status).toBe(409);
  });

  it('when the file has no DID column or is empty, then the upload is refused with a message', async () => {
    const noNumber = await upload(admin, 'city,country\nLondon,GB\n');
    const page = await admin.get(noNumber.body.location);
    expect(page.text).toContain('The header row has no DID (or number) column');
    const empty = await upload(admin, '   ');
    expect(empty.status).toBe(400);
    expect(empty.body.error).toContain('Choose a CSV file');
  });

  it('when the file holds NUL bytes (a UTF-16 file), then 400 with a message at the file and nothing is stored', async () => {
    const before = await db()('did_imports').count({ n: '*' }).first();
    const response = await upload(admin, Buffer.from('number\n+442079461999\n', 'utf16le').toString('latin1'));
    expect(response.status).toBe(400);
    expect(response.body.fields.file).toContain('NUL bytes');
    expect(await db()('did_imports').count({ n: '*' }).first()).toEqual(before);
  });

  it('when the upload has no CSRF token, then it is refused', async () => {
    const response = await admin.post('/admin/dids/import').type('text/csv').send('number\n+442079461999\n');
    expect(response.status).toBe(403);
  });

  it('when the sample file is downloaded and uploaded, then all its rows are valid', async () => {
    const sample = await admin.get('/admin/dids/import/sample.csv');
    expect(sample.headers['content-type']).toContain('text/csv');
    const response = await upload(admin, sample.text);
    const page = await admin.get(response.body.location);
    expect(page.text).toMatch(/data-stat="valid">2</);
    expect(page.text).toMatch(/data-stat="invalid">0</);
  });
});

describe('exporting', () => {
  it('when the list is filtered, then the export has the same rows, the import columns, holder and status', async () => {
    await makeDid(db(), { number: '+33142685300', country: 'FR', provider_id: atlas.id, reseller_id: people.reseller.id });
    const response = await admin.get('/admin/dids/export.csv?country=FR');
    expect(response.status).toBe(200);
    expect(response.headers['content-disposition']).toContain('attachment');
    const records = parse(response.text, { columns: true }) as Array<Record<string, string>>;
    expect(records).toEqual([expect.objectContaining({ number: '+33142685300', country: 'FR', provider: 'Atlas Carrier', holder: 'reseller', holder_name: people.reseller.name, status: 'active', monthly_fee: '2.000000' })]);
    expect(Object.keys(records[0]!).slice(0, 3)).toEqual(['number', 'provider', 'country']);
  });

  it('when more rows than one batch are exported, then every row comes out once, in number order', async () => {
    await db().raw(`
      INSERT INTO products (category, number, country, provider_id, status, billing_type, billing_days)
      SELECT 'did', '+1212' || lpad((2000000 + g)::text, 7, '0'), 'US', ?, 'active', 'recurring', 30 FROM generate_series(1, 5500) AS g`, [atlas.id]);
    const response = await admin.get('/admin/dids/export.csv?q=1212');
    const records = parse(response.text, { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(5500);
    expect(new Set(records.map((record) => record.number)).size).toBe(5500);
    expect(records[0]!.number).toBe('+12122000001');
    expect(records.at(-1)!.number).toBe('+12122005500');
  });

  it('when an export is imported into an empty database, then the same inventory comes back', async () => {
    await db()('products').where('number', 'like', '+1212%').delete();
    const exported = (await admin.get('/admin/dids/export.csv?archived=include')).text;
    const targetApp = createTestApp(target.current.db);
    const targetAdmin = await makeAccount(target.current.db, { role: 'admin' });
    await makeProvider(target.current.db, 'Atlas Carrier');
    await makeProvider(target.current.db, 'Euronet Numbers');
    const agent = await loginAs(targetApp, targetAdmin.email);
    const response = await upload(agent, exported);
    const preview = await agent.get(response.body.location);
    expect(preview.text).toMatch(/data-stat="invalid">0</);
    expect(preview.text).toContain('Columns ignored (no such field): holder, holder_name');
    await postForm(agent, `${response.body.location}/commit`, {}, response.body.location);

    const columns = ['number', 'country', 'province', 'city', 'status', 'buy_cost', 'connection_cost', 'grace_seconds', 'cost_per_minute', 'initial_increment',
      'increment', 'setup_fee', 'monthly_fee', 'call_timeout', 'billing_type', 'billing_days', 'concurrent_calls'];
    const inventory = async (database: typeof db extends () => infer D ? D : never) =>
      (await database('products as p').join('providers as pr', 'pr.id', 'p.provider_id').select(...columns.map((c) => `p.${c}`), 'pr.name as provider').orderBy('p.number')) as unknown[];
    const original = await inventory(db());
    expect(original.length).toBeGreaterThanOrEqual(5);
    expect(await inventory(target.current.db)).toEqual(original);
  });
});
