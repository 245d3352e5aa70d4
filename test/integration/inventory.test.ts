import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeHierarchy, makeProvider, makeSubscription } from '../helpers/factories.ts';
import { loginAs, postForm, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
let app: Express;
let people: Awaited<ReturnType<typeof makeHierarchy>>;
let admin: Agent;
let carrier: { id: number; name: string };
let line = 1000;
/** A valid London number, new on each call. */
const londonNumber = () => `+44207946${String(++line).padStart(4, '0')}`;

const FORM = {
  category: 'did', provider: '', country: '', city: 'London', province: 'England', buy_cost: '0.90', status: 'active',
  connection_cost: '0.10', grace_seconds: '10', cost_per_minute: '0.60', initial_increment: '60', increment: '6', setup_fee: '2.00',
  monthly_fee: '2.50', call_timeout: '30', billing_type: 'recurring', billing_days: '30', concurrent_calls: '10',
};

const db = () => database.current.db;
const auditOf = (entityId: number) => db()('audit_log').whereIn('entity_type', ['did', 'product']).where({ entity_id: entityId }).orderBy('id');

beforeAll(async () => {
  app = createTestApp(db());
  people = await makeHierarchy(db());
  carrier = await makeProvider(db(), 'Atlas Carrier');
  admin = await loginAs(app, people.admin.email);
});

describe('creating a DID in the admin form', () => {
  it('when the form is valid, then the number is stored in E.164 with its terms and the creation is audited', async () => {
    const response = await postForm(admin, '/admin/dids', { ...FORM, provider: String(carrier.id), number: '+44 20 7946 0958' }, '/admin/dids/new');
    expect(response.status).toBe(302);
    const row = await db()('products').where({ number: '+442079460958' }).first();
    expect(row).toMatchObject({ country: 'GB', city: 'London', provider_id: carrier.id, cost_per_minute: '0.600000', increment: 6, concurrent_calls: 10, reseller_id: null, customer_id: null });
    expect(response.headers.location).toBe(`/admin/dids/${row.id}`);
    const audit = await auditOf(row.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'did.create', actor_id: people.admin.id, before: null });
    expect(audit[0].after).toMatchObject({ number: '+442079460958', monthly_fee: '2.500000' });
    const page = await admin.get(response.headers.location!);
    expect(page.text).toContain('+44 20 7946 0958 was added to the inventory.');
    expect(page.text).toContain('Created');
  });

  it('when fields are wrong, then the form comes back with status 400, every input kept and one message per field', async () => {
    const response = await postForm(admin, '/admin/dids', {
      ...FORM, provider: String(carrier.id), number: '+1 555 01', cost_per_minute: '-0.5', grace_seconds: '1.5', setup_fee: '0.1234567', billing_days: '0', city: 'Springfield',
    }, '/admin/dids/new');
    expect(response.status).toBe(400);
    expect(response.text).toContain('is not a valid number');
    expect(response.text).toContain('Must not be negative');
    expect(response.text).toContain('Must be a whole number of seconds');
    expect(response.text).toContain('Use at most 6 decimals');
    expect(response.text).toContain('A recurring number needs at least 1 billing day');
    expect(response.text).toContain('value="Springfield"');
    expect(response.text).toContain('value="+1 555 01"');
    expect(response.text).toContain('value="-0.5"');
    expect(response.text.match(/class="error" id="e-/g)).toHaveLength(5);
  });

  it('when the number exists already, then it is a field error, not a crash', async () => {
    const number = londonNumber();
    await makeDid(db(), { number, country: 'GB' });
    const response = await postForm(admin, '/admin/dids', { ...FORM, provider: String(carrier.id), number }, '/admin/dids/new');
    expect(response.status).toBe(400);
    expect(response.text).toContain(`${number} is already in the inventory`);
  });

  it('when the country disagrees with the number or no provider is chosen, then both fields say so', async () => {
    const response = await postForm(admin, '/admin/dids', { ...FORM, number: londonNumber(), country: 'DE' }, '/admin/dids/new');
    expect(response.status).toBe(400);
    expect(response.text).toContain('is a number of United Kingdom, not Germany');
    expect(response.text).toContain('Choose the provider');
  });

  it('when the form is shown or sent back, then the cost preview is rendered on the server from the terms typed', async () => {
    const response = await postForm(admin, '/admin/dids', { ...FORM, number: 'bad' }, '/admin/dids/new');
    expect(response.text).toContain('data-cost-preview');
    expect(response.text).toMatch(/data-duration="125">.*\$1\.3000/s);
    expect(response.text).toMatch(/data-duration="3600">.*\$36\.0400/s);
    expect(response.text).toContain('<script src="/static/js/cost-preview.js" defer></script>');
  });

  it('when the form opens, then Product Category comes first and offers only DID', async () => {
    const page = await admin.get('/admin/dids/new');
    const category = page.text.indexOf('Product Category');
    expect(category).toBeGreaterThan(0);
    expect(category).toBeLessThan(page.text.indexOf('name="number"'));
    expect(page.text).toMatch(/<select id="f-category" name="category"[^>]*>\s*<option value="did" selected>DID<\/option>\s*<\/select>/);
  });
});

describe('the DID list', () => {
  let ids: Record<string, number>;
  beforeAll(async () => {
    const other = await makeProvider(db(), 'Euronet Numbers');
    const make = async (fields: Record<string, unknown>) => (await makeDid(db(), { number: londonNumber(), country: 'GB', provider_id: carrier.id, city: 'London', ...fields })).id;
    ids = {
      stock: await make({ city: 'Leeds', province: 'Yorkshire' }),
      reseller: await make({ reseller_id: people.reseller.id }),
      customer: await make({ customer_id: people.customer.id }),
      inactive: await make({ status: 'inactive', provider_id: other.id }),
      oneTime: await make({ billing_type: 'one_time', billing_days: 0, monthly_fee: '99.00' }),
      archived: await make({ archived_at: new Date() }),
      paris: (await makeDid(db(), { number: '+33142685300', country: 'FR', city: 'Paris', province: 'Île-de-France', provider_id: other.id })).id,
    };
  });

  const numbersIn = (html: string) => [...html.matchAll(/<tr data-number="([^"]+)"/g)].map((match) => match[1]);
  const idsIn = (html: string) => [...html.matchAll(/href="\/admin\/dids\/(\d+)"/g)].map((match) => Number(match[1]));
  const totalIn = (html: string) => Number(/data-total="(\d+)"/.exec(html)?.[1]);

  it.each([
    ['holder=stock', 'stock', ['reseller', 'customer']],
    ['holder=reseller', 'reseller', ['stock', 'customer']],
    ['holder=customer', 'customer', ['stock', 'reseller']],
    ['status=inactive', 'inactive', ['stock']],
    ['billing_type=one_time', 'oneTime', ['stock']],
    ['country=FR', 'paris', ['stock']],
    ['city=leeds', 'stock', ['reseller']],
    ['province=Yorkshire', 'stock', ['paris']],
    ['q=33142', 'paris', ['stock']],
    ['archived=only', 'archived', ['stock']],
  ])('when filtered by %s, then it shows the matching numbers only', async (query, shown, hidden) => {
    const page = await admin.get(`/admin/dids?${query}`);
    expect(page.status).toBe(200);
    const listed = idsIn(page.text);
    expect(listed).toContain(ids[shown]);
    for (const key of hidden) expect(listed).not.toContain(ids[key]);
  });

  it('when no filter is set, then archived numbers are hidden and the count covers the whole list', async () => {
    const page = await admin.get('/admin/dids');
    expect(idsIn(page.text)).not.toContain(ids.archived);
    const count = Number((await db()('products').whereNull('archived_at').count({ count: '*' }).first())!.count);
    expect(totalIn(page.text)).toBe(count);
  });

  it('when the provider filter is set, then only its numbers show', async () => {
    const page = await admin.get(`/admin/dids?provider=${carrier.id}`);
    expect(idsIn(page.text)).not.toContain(ids.paris);
    expect(idsIn(page.text)).toContain(ids.stock);
  });

  it('when sorted by monthly fee descending and paged, then the order and the pages follow', async () => {
    const first = await admin.get('/admin/dids?sort=monthly_fee&dir=desc&per_page=25');
    expect(idsIn(first.text)[0]).toBe(ids.oneTime);
    const total = totalIn(first.text);
    const numbers = numbersIn((await admin.get('/admin/dids?sort=number&per_page=25')).text);
    expect(numbers).toEqual([...numbers].sort());
    if (total > 25) {
      const second = await admin.get('/admin/dids?sort=number&per_page=25&page=2');
      expect(numbersIn(second.text)[0]! > numbers[numbers.length - 1]!).toBe(true);
    }
  });

  it('when numbers are added, change hands, are archived and deleted, then every filtered count equals a direct count', async () => {
    const moving = await makeDid(db(), { number: londonNumber(), country: 'GB', provider_id: carrier.id, city: 'York' });
    await db()('products').where({ id: moving.id }).update({ reseller_id: people.reseller.id });
    await db()('products').where({ id: moving.id }).update({ customer_id: people.resellerCustomer.id, status: 'inactive' });
    await db()('products').where({ id: ids.stock }).update({ province: 'West Yorkshire', monthly_fee: '7.00' });
    const gone = await makeDid(db(), { number: londonNumber(), country: 'GB' });
    await db()('products').where({ id: gone.id }).delete();
    type Query = ReturnType<ReturnType<typeof db>>;
    const direct = async (where: (q: Query) => unknown) => {
      const query = db()('products').where({ category: 'did' });
      where(query);
      return Number((await query.count({ count: '*' }).first())!.count);
    };
    const checks: Array<[string, (q: Query) => unknown]> = [
      ['', (q) => q.whereNull('archived_at')],
      ['holder=customer', (q) => q.whereNull('archived_at').whereNotNull('customer_id')],
      ['holder=reseller', (q) => q.whereNull('archived_at').whereNotNull('reseller_id').whereNull('customer_id')],
      ['holder=stock&status=active', (q) => q.whereNull('archived_at').whereNull('reseller_id').whereNull('customer_id').where('status', 'active')],
      ['city=YORK&status=inactive', (q) => q.whereNull('archived_at').whereRaw("lower(city) = 'york'").where('status', 'inactive')],
      ['province=west%20yorkshire', (q) => q.whereNull('archived_at').where('province', 'West Yorkshire')],
      [`provider=${carrier.id}&country=GB`, (q) => q.whereNull('archived_at').where({ provider_id: carrier.id, country: 'GB' })],
      ['archived=include', () => undefined],
      ['archived=only&billing_type=recurring', (q) => q.whereNotNull('archived_at').where('billing_type', 'recurring')],
      ['q=4420794', (q) => q.whereNull('archived_at').where('number', 'like', '%4420794%')],
    ];
    for (const [query, where] of checks) {
      expect([query, totalIn((await admin.get(`/admin/dids?${query}`)).text)]).toEqual([query, await direct(where)]);
    }
  });

  it('when a filter value is nonsense, then it is ignored rather than an error', async () => {
    const page = await admin.get('/admin/dids?status=sold&page=-3&sort=price');
    expect(page.status).toBe(200);
  });

  it('when a reseller or customer opens the admin list, then it is forbidden', async () => {
    const reseller = await loginAs(app, people.reseller.email);
    expect((await reseller.get('/admin/dids')).status).toBe(403);
    expect((await reseller.get(`/admin/dids/${ids.stock}`)).status).toBe(403);
  });
});

describe("a DID's page and its changes", () => {
  it('when terms are edited, then new purchases get them, the locked subscription price stays, and the audit row has before and after', async () => {
    const did = await makeDid(db(), { number: londonNumber(), country: 'GB', provider_id: carrier.id, customer_id: people.customer.id });
    const subscription = { id: await makeSubscription(db(), { product_id: did.id, account_id: people.customer.id, seller_id: people.admin.id, setup_fee: '1.00', price: '2.00' }) };
    const form = await admin.get(`/admin/dids/${did.id}/edit`);
    expect(form.text).toContain('New terms apply to new purchases only. The 1 current subscription keeps the price locked at purchase.');
    const response = await postForm(admin, `/admin/dids/${did.id}`, { ...FORM, provider: String(carrier.id), country: 'GB', monthly_fee: '5.00' }, `/admin/dids/${did.id}/edit`);
    expect(response.status).toBe(302);
    expect((await db()('products').where({ id: did.id }).first()).monthly_fee).toBe('5.000000');
    expect((await db()('subscriptions').where({ id: subscription.id }).first()).price).toBe('2.000000');
    const audit = (await auditOf(did.id)).at(-1);
    expect(audit).toMatchObject({ action: 'did.update', actor_id: people.admin.id });
    expect(audit.before.monthly_fee).toBe('2.000000');
    expect(audit.after.monthly_fee).toBe('5.000000');
    const page = await admin.get(`/admin/dids/${did.id}`);
    expect(page.text).toContain('Terms edited');
    expect(page.text).toMatch(/Monthly Fee<\/strong>: <span class="was">\$2.0000<\/span> → \$5.0000/);
    expect(page.text).toContain(people.customer.name);
  });

  it('when an edit is invalid, then nothing changes and the form says why', async () => {
    const did = await makeDid(db(), { number: londonNumber(), country: 'GB', provider_id: carrier.id });
    const response = await postForm(admin, `/admin/dids/${did.id}`, { ...FORM, provider: String(carrier.id), increment: '-6' }, `/admin/dids/${did.id}/edit`);
    expect(response.status).toBe(400);
    expect(response.text).toContain('Must not be negative');
    expect((await db()('products').where({ id: did.id }).first()).increment).toBe(6);
    expect(await auditOf(did.id)).toHaveLength(0);
  });

  it('when a number is deactivated and activated, then its status follows and each change is audited', async () => {
    const did = await makeDid(db(), { number: londonNumber(), country: 'GB' });
    await postForm(admin, `/admin/dids/${did.id}/status`, { status: 'inactive' }, `/admin/dids/${did.id}`);
    expect((await db()('products').where({ id: did.id }).first()).status).toBe('inactive');
    await postForm(admin, `/admin/dids/${did.id}/status`, { status: 'active' }, `/admin/dids/${did.id}`);
    expect((await auditOf(did.id)).map((row) => row.action)).toEqual(['did.deactivate', 'did.activate']);
  });

  it('when a number was never sold, then removing it deletes it, and the audit log keeps a record', async () => {
    const did = await makeDid(db(), { number: londonNumber(), country: 'GB' });
    const confirm = await admin.get(`/admin/dids/${did.id}/remove`);
    expect(confirm.text).toContain('This number was never sold.');
    const response = await postForm(admin, `/admin/dids/${did.id}/remove`, {}, `/admin/dids/${did.id}/remove`);
    expect(response.headers.location).toBe('/admin/dids');
    expect(await db()('products').where({ id: did.id }).first()).toBeUndefined();
    expect((await auditOf(did.id)).map((row) => row.action)).toEqual(['did.delete']);
  });

  it('when a number was sold before, then removing it archives it: hidden from the list, history kept, restorable', async () => {
    const did = await makeDid(db(), { number: londonNumber(), country: 'GB' });
    await makeSubscription(db(), {
      product_id: did.id, account_id: people.customer.id, seller_id: people.admin.id, status: 'ended',
      setup_fee: '1.00', price: '2.00', started_at: new Date(Date.now() - 86400000), next_billing_at: null, ended_at: new Date(), end_reason: 'released',
    });
    const confirm = await admin.get(`/admin/dids/${did.id}/remove`);
    expect(confirm.text).toContain('cannot be deleted');
    await postForm(admin, `/admin/dids/${did.id}/remove`, {}, `/admin/dids/${did.id}/remove`);
    expect((await db()('products').where({ id: did.id }).first()).archived_at).not.toBeNull();
    expect((await admin.get('/admin/dids')).text).not.toContain(`data-number="${did.number}"`);
    const page = await admin.get(`/admin/dids/${did.id}`);
    expect(page.text).toContain('Archived');
    expect(page.text).toContain('released');
    await postForm(admin, `/admin/dids/${did.id}/restore`, {}, `/admin/dids/${did.id}`);
    expect((await db()('products').where({ id: did.id }).first()).archived_at).toBeNull();
    expect((await auditOf(did.id)).map((row) => row.action)).toEqual(['did.archive', 'did.restore']);
  });

  it('when a number is held by an account, then it cannot be removed until reclaimed', async () => {
    const did = await makeDid(db(), { number: londonNumber(), country: 'GB', reseller_id: people.reseller.id });
    const response = await postForm(admin, `/admin/dids/${did.id}/remove`, {}, `/admin/dids/${did.id}`);
    expect(response.status).toBe(409);
    expect(await db()('products').where({ id: did.id }).first()).toBeDefined();
  });

  it('when the id is unknown or not a number, then the page is 404', async () => {
    expect((await admin.get('/admin/dids/999999')).status).toBe(404);
    expect((await admin.get('/admin/dids/abc')).status).toBe(404);
  });
});

describe('assigning and reclaiming', () => {
  it('when the admin assigns with charging, then the confirmation names the amount and the buyer pays setup and first period', async () => {
    const buyer = await makeAccount(db(), { role: 'customer', parent: people.admin, balance: '50' });
    const did = await makeDid(db(), { number: londonNumber(), country: 'GB', setup_fee: '1.00', monthly_fee: '2.00' });
    const confirm = await admin.get(`/admin/dids/${did.id}/assign/confirm?account=${buyer.id}&charge=yes`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('charged $3.0000');
    const key = /name="purchase_key" value="([^"]+)"/.exec(confirm.text)![1]!;
    const response = await postForm(admin, `/admin/dids/${did.id}/assign`, { account: String(buyer.id), charge: 'yes', purchase_key: key }, `/admin/dids/${did.id}/assign/confirm?account=${buyer.id}&charge=yes`);
    expect(response.status).toBe(303);
    expect((await db()('products').where({ id: did.id }).first()).customer_id).toBe(buyer.id);
    expect((await db()('accounts').where({ id: buyer.id }).first()).balance).toBe('47.000000');
  });

  it('when the admin assigns without charging, then the confirmation says nothing is charged and no ledger row is written', async () => {
    const did = await makeDid(db(), { number: londonNumber(), country: 'GB' });
    const confirm = await admin.get(`/admin/dids/${did.id}/assign/confirm?account=${people.reseller.id}&charge=no`);
    expect(confirm.text).toContain('Nothing will be charged');
    const key = /name="purchase_key" value="([^"]+)"/.exec(confirm.text)![1]!;
    await postForm(admin, `/admin/dids/${did.id}/assign`, { account: String(people.reseller.id), charge: 'no', purchase_key: key }, `/admin/dids/${did.id}`);
    expect((await db()('products').where({ id: did.id }).first()).reseller_id).toBe(people.reseller.id);
    const ledger = await db()('ledger_entries').where({ account_id: people.reseller.id });
    expect(ledger).toHaveLength(0);
  });

  it('when the admin reclaims a held number after confirming, then it is back in stock and its live subscription ended', async () => {
    const buyer = await makeAccount(db(), { role: 'reseller', parent: people.admin, balance: '50' });
    const did = await makeDid(db(), { number: londonNumber(), country: 'GB' });
    const confirm = await admin.get(`/admin/dids/${did.id}/assign/confirm?account=${buyer.id}&charge=yes`);
    const key = /name="purchase_key" value="([^"]+)"/.exec(confirm.text)![1]!;
    await postForm(admin, `/admin/dids/${did.id}/assign`, { account: String(buyer.id), charge: 'yes', purchase_key: key }, `/admin/dids/${did.id}`);
    const reclaimPage = await admin.get(`/admin/dids/${did.id}/reclaim`);
    expect(reclaimPage.text).toContain('ends 1 live subscription');
    await postForm(admin, `/admin/dids/${did.id}/reclaim`, {}, `/admin/dids/${did.id}/reclaim`);
    const row = await db()('products').where({ id: did.id }).first();
    expect([row.reseller_id, row.customer_id]).toEqual([null, null]);
    expect((await db()('subscriptions').where({ product_id: did.id }).first()).status).toBe('ended');
    const page = await admin.get(`/admin/dids/${did.id}`);
    expect(page.text).toContain('Reclaimed to stock');
    expect(page.text).toContain('In stock');
  });
});

describe('providers', () => {
  it('when a provider is created and edited, then the list, its page and its audit trail show it', async () => {
    const created = await postForm(admin, '/admin/providers', { name: 'Nordic Numbers', contact_name: 'NOC', email: 'noc@nordic.example', phone: '+46 8 123', notes: 'Sweden' }, '/admin/providers/new');
    expect(created.status).toBe(302);
    const id = Number(created.headers.location!.split('/').pop());
    await makeDid(db(), { number: londonNumber(), country: 'GB', provider_id: id });
    const edited = await postForm(admin, `/admin/providers/${id}`, { name: 'Nordic Numbers AB', contact_name: 'NOC', email: 'noc@nordic.example', phone: '', notes: 'Sweden, Norway' }, `/admin/providers/${id}/edit`);
    expect(edited.status).toBe(302);
    const list = await admin.get('/admin/providers?q=nordic');
    expect(list.text).toContain('Nordic Numbers AB');
    const page = await admin.get(`/admin/providers/${id}`);
    expect(page.text).toContain('DIDs from Nordic Numbers AB (1)');
    expect(page.text).toContain('Sweden, Norway');
    const audit = await db()('audit_log').where({ entity_type: 'provider', entity_id: id }).orderBy('id');
    expect(audit.map((row) => row.action)).toEqual(['provider.create', 'provider.update']);
    expect(audit[1].before.name).toBe('Nordic Numbers');
    expect(audit[1].after.name).toBe('Nordic Numbers AB');
  });

  it('when the name is empty, taken or the email malformed, then each field says so', async () => {
    const empty = await postForm(admin, '/admin/providers', { name: '', email: 'nope' }, '/admin/providers/new');
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Enter the provider’s name');
    expect(empty.text).toContain('Enter an email address');
    const taken = await postForm(admin, '/admin/providers', { name: 'atlas carrier' }, '/admin/providers/new');
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('There is a provider of that name already');
  });
});
