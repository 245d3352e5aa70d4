// Accounts: the admin creates and edits resellers and customers; a reseller only its own customers.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeAccounts, makeHierarchy } from '../helpers/factories.ts';
import { loginAs, postForm, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
let db: Knex;
let app: Express;
let people: Awaited<ReturnType<typeof makeHierarchy>>;
let otherReseller: AccountRow;
let otherResellersCustomer: AccountRow;
let adminAgent: Agent;
let resellerAgent: Agent;

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db);
  people = await makeHierarchy(db);
  otherReseller = await makeAccount(db, { role: 'reseller', parent: people.admin, name: 'Other Reseller' });
  otherResellersCustomer = await makeAccount(db, { role: 'customer', parent: otherReseller, name: 'Not Yours Ltd' });
  adminAgent = await loginAs(app, people.admin.email);
  resellerAgent = await loginAs(app, people.reseller.email);
});

const validAccount = (overrides: Record<string, string> = {}) => ({
  name: 'Initech', email: `initech-${Math.random().toString(36).slice(2)}@test.example`, password: 'a-long-enough-secret',
  role: 'customer', parent_id: String(people.admin.id), billing_mode: 'prepaid', credit_limit: '0', max_concurrent_calls: '5', status: 'active',
  ...overrides,
});

async function accountByEmail(email: string): Promise<AccountRow> {
  return db('accounts').whereRaw('lower(email) = lower(?)', [email]).first();
}

describe('the admin creates accounts', () => {
  it('when the admin creates a postpaid customer of a reseller, then it exists with those settings, can log in, and the audit log has it without the password hash', async () => {
    const fields = validAccount({ parent_id: String(people.reseller.id), billing_mode: 'postpaid', credit_limit: '150.50', max_concurrent_calls: '0' });
    const response = await postForm(adminAgent, '/admin/accounts/new', fields);
    expect(response.status).toBe(302);
    const created = await accountByEmail(fields.email);
    expect(response.headers.location).toBe(`/admin/accounts/${created.id}`);
    expect(created).toMatchObject({ role: 'customer', parent_id: people.reseller.id, billing_mode: 'postpaid', credit_limit: '150.500000', max_concurrent_calls: 0, status: 'active' });
    const audit = await db('audit_log').where({ entity_type: 'account', entity_id: created.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'account.create', actor_id: people.admin.id });
    expect(JSON.stringify(audit[0])).not.toContain(created.password_hash);
    expect(JSON.stringify(audit[0])).not.toContain('password');
    await loginAs(app, fields.email, fields.password);
  });

  it('when the admin creates a reseller, then its parent is the admin whatever the form says', async () => {
    const fields = validAccount({ role: 'reseller', parent_id: String(people.reseller.id) });
    expect((await postForm(adminAgent, '/admin/accounts/new', fields)).status).toBe(302);
    expect(await accountByEmail(fields.email)).toMatchObject({ role: 'reseller', parent_id: people.admin.id });
  });

  it('when a prepaid account is given a credit limit, then it keeps none', async () => {
    const fields = validAccount({ credit_limit: '99' });
    expect((await postForm(adminAgent, '/admin/accounts/new', fields)).status).toBe(302);
    expect((await accountByEmail(fields.email)).credit_limit).toBe('0.000000');
  });

  it('when fields are wrong, then the form comes back with one message per field and the input kept', async () => {
    const response = await postForm(adminAgent, '/admin/accounts/new', {
      name: ' ', email: 'not-an-email', password: 'short', role: 'admin', parent_id: String(people.admin.id),
      billing_mode: 'weekly', credit_limit: '1,000', max_concurrent_calls: '-1', status: 'gone',
    });
    expect(response.status).toBe(400);
    for (const message of [
      'Enter a name', 'Enter an email address like name@example.com', 'Use at least 10 characters', 'Choose reseller or customer',
      'Choose prepaid or postpaid', 'no thousands separators', 'Enter a whole number, 0 for unlimited', 'Choose a status',
    ]) expect(response.text).toContain(message);
    expect(response.text).toContain('value="not-an-email"');
    expect(response.text).not.toContain('value="short"');
  });

  it('when the email is taken (in any case), then the form says so and nothing is created', async () => {
    const before = Number((await db('accounts').count({ c: '*' }).first())!.c);
    const response = await postForm(adminAgent, '/admin/accounts/new', validAccount({ email: people.customer.email.toUpperCase() }));
    expect(response.status).toBe(400);
    expect(response.text).toContain('An account with this email exists already');
    expect(Number((await db('accounts').count({ c: '*' }).first())!.c)).toBe(before);
  });

  it('when the parent is a customer, then the customer is refused', async () => {
    const response = await postForm(adminAgent, '/admin/accounts/new', validAccount({ parent_id: String(people.customer.id) }));
    expect(response.status).toBe(400);
    expect(response.text).toContain('Choose the admin or one of the resellers');
  });

  it('when a credit limit has more decimals than money is kept with, then it is refused', async () => {
    const response = await postForm(adminAgent, '/admin/accounts/new', validAccount({ billing_mode: 'postpaid', credit_limit: '10.123456' }));
    expect(response.status).toBe(400);
    expect(response.text).toContain('Use at most 4 decimals');
  });
});

describe('the admin edits accounts', () => {
  it('when the admin suspends a reseller and changes its terms, then the row changes, an audit row keeps before and after, and the reseller is logged out', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: people.admin, name: 'Before Name' });
    const agent = await loginAs(app, reseller.email);
    const response = await postForm(adminAgent, `/admin/accounts/${reseller.id}/edit`, {
      name: 'After Name', email: reseller.email, billing_mode: 'postpaid', credit_limit: '75', max_concurrent_calls: '12', status: 'suspended', password: '',
    });
    expect(response.status).toBe(302);
    const after = await db('accounts').where({ id: reseller.id }).first();
    expect(after).toMatchObject({ name: 'After Name', billing_mode: 'postpaid', credit_limit: '75.000000', max_concurrent_calls: 12, status: 'suspended' });
    expect(after.password_hash).toBe(reseller.password_hash);
    const audit = await db('audit_log').where({ entity_type: 'account', entity_id: reseller.id, action: 'account.update' }).first();
    expect(audit.before).toMatchObject({ name: 'Before Name', status: 'active', billing_mode: 'prepaid' });
    expect(audit.after).toMatchObject({ name: 'After Name', status: 'suspended', credit_limit: '75.000000' });
    expect((await agent.get('/reseller')).status).toBe(302);
  });

  it('when the admin sets a new password, then only the new one logs in and the audit says a password changed, without any hash', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const response = await postForm(adminAgent, `/admin/accounts/${customer.id}/edit`, {
      name: customer.name, email: customer.email, billing_mode: 'prepaid', credit_limit: '0', max_concurrent_calls: '0', status: 'active', password: 'brand-new-password',
    });
    expect(response.status).toBe(302);
    await loginAs(app, customer.email, 'brand-new-password');
    const audit = await db('audit_log').where({ entity_id: customer.id, action: 'account.update' }).first();
    expect(audit.after.password_changed).toBe(true);
    const after = await db('accounts').where({ id: customer.id }).first();
    expect(JSON.stringify(audit)).not.toContain(after.password_hash);
  });

  it('when the edit form is opened, then it shows the current settings; the role and seller are not editable', async () => {
    const page = await adminAgent.get(`/admin/accounts/${people.resellerCustomer.id}/edit`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="${people.resellerCustomer.email}"`);
    expect(page.text).not.toContain('name="role"');
    expect(page.text).toContain(people.reseller.name);
  });

  it('when the id is not a reseller or customer, then it is a 404', async () => {
    for (const path of [`/admin/accounts/${people.admin.id}`, '/admin/accounts/999999', '/admin/accounts/abc', `/admin/accounts/${people.admin.id}/edit`]) {
      expect((await adminAgent.get(path)).status).toBe(404);
    }
  });
});

describe('the accounts list', () => {
  it('when filtered by role, seller, status and text, then only matching accounts are listed with their count', async () => {
    await makeAccount(db, { role: 'customer', parent: otherReseller, name: 'Zebra Findme One', status: 'suspended' });
    await makeAccount(db, { role: 'customer', parent: otherReseller, name: 'Zebra Findme Two' });
    const all = await adminAgent.get(`/admin/accounts?parent=${otherReseller.id}`);
    expect(all.status).toBe(200);
    expect(all.text).toContain('data-total="3"');
    const some = await adminAgent.get(`/admin/accounts?parent=${otherReseller.id}&role=customer&status=suspended&q=findme`);
    expect(some.text).toContain('data-total="1"');
    expect(some.text).toContain('Zebra Findme One');
    expect(some.text).not.toContain('Zebra Findme Two');
  });

  it('when the text filter has LIKE wildcards, then they match literally', async () => {
    const response = await adminAgent.get('/admin/accounts?q=%25');
    expect(response.status).toBe(200);
    expect(response.text).toContain('data-total="0"');
  });

  it('when there are more accounts than a page, then pages link to each other and keep the filters', async () => {
    const reseller = await makeAccount(db, { role: 'reseller', parent: people.admin, name: 'Big Reseller' });
    const rows = Array.from({ length: 55 }, (_, i) => ({
      role: 'customer' as const, parent_id: reseller.id, name: `Bulk ${String(i).padStart(2, '0')}`, email: `bulk-${reseller.id}-${i}@test.example`,
    }));
    await makeAccounts(db, rows);
    const first = await adminAgent.get(`/admin/accounts?parent=${reseller.id}`);
    expect(first.text).toContain('data-total="55"');
    expect(first.text).toContain('Bulk 49');
    expect(first.text).not.toContain('Bulk 50');
    expect(first.text).toContain(`href="/admin/accounts?parent=${reseller.id}&amp;page=2"`);
    const second = await adminAgent.get(`/admin/accounts?parent=${reseller.id}&page=2`);
    expect(second.text).toContain('Bulk 54');
    expect(second.text).not.toContain('Bulk 49');
  });

  it('when a filter is invalid, then the page says which with a 400', async () => {
    const response = await adminAgent.get('/admin/accounts?role=admin&page=0');
    expect(response.status).toBe(400);
    expect(response.text).toContain('Choose reseller or customer');
  });

  it('when exported, then the CSV has the filtered accounts with plain decimal amounts', async () => {
    const response = await adminAgent.get(`/admin/accounts/export.csv?parent=${otherReseller.id}&q=findme`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const lines = response.text.trim().split('\n');
    expect(lines[0]).toBe('id,role,name,email,parent_id,parent_name,status,billing_mode,balance,credit_limit,available_funds,max_concurrent_calls,created_at');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',customer,Zebra Findme One,');
    expect(lines[1]).toContain(',0.0000,0.0000,0.0000,');
  });
});

describe("a reseller's customers", () => {
  it('when a reseller creates a customer, then it is its own customer, whatever role or parent the form sends', async () => {
    const fields = validAccount({ role: 'reseller', parent_id: String(otherReseller.id) });
    const response = await postForm(resellerAgent, '/reseller/customers/new', fields);
    expect(response.status).toBe(302);
    const created = await accountByEmail(fields.email);
    expect(created).toMatchObject({ role: 'customer', parent_id: people.reseller.id });
    expect(response.headers.location).toBe(`/reseller/customers/${created.id}`);
    const audit = await db('audit_log').where({ entity_id: created.id, action: 'account.create' }).first();
    expect(audit.actor_id).toBe(people.reseller.id);
  });

  it('when a reseller sends the form as its page has it (no role, no seller), then the customer is created', async () => {
    const { role: _role, parent_id: _parent, ...fields } = validAccount();
    const response = await postForm(resellerAgent, '/reseller/customers/new', fields);
    expect(response.status).toBe(302);
    expect(await accountByEmail(fields.email)).toMatchObject({ role: 'customer', parent_id: people.reseller.id });
  });

  it('when a reseller lists its customers, then it sees only its own', async () => {
    const response = await resellerAgent.get('/reseller/customers');
    expect(response.status).toBe(200);
    expect(response.text).toContain(people.resellerCustomer.name);
    expect(response.text).not.toContain(otherResellersCustomer.name);
    expect(response.text).not.toContain(people.customer.name);
    const csv = await resellerAgent.get('/reseller/customers/export.csv');
    expect(csv.text).toContain(people.resellerCustomer.email);
    expect(csv.text).not.toContain(otherResellersCustomer.email);
    // A role or parent filter cannot widen a reseller's view.
    const widened = await resellerAgent.get(`/reseller/customers?parent=${otherReseller.id}&role=reseller`);
    expect(widened.text).not.toContain(otherResellersCustomer.name);
  });

  it("when a reseller opens or edits another reseller's customer, the admin's customer or itself, then it gets a 404 and nothing changes", async () => {
    for (const id of [otherResellersCustomer.id, people.customer.id, people.reseller.id, otherReseller.id]) {
      for (const path of [`/reseller/customers/${id}`, `/reseller/customers/${id}/edit`, `/reseller/customers/${id}/transactions`, `/reseller/customers/${id}/money`]) {
        expect((await resellerAgent.get(path)).status, path).toBe(404);
      }
      const post = await postForm(resellerAgent, `/reseller/customers/${id}/edit`, {
        name: 'Hijacked', email: `hijack-${id}@test.example`, billing_mode: 'prepaid', credit_limit: '0', max_concurrent_calls: '0', status: 'closed',
      }, '/reseller/customers');
      expect(post.status).toBe(404);
    }
    expect((await db('accounts').where({ name: 'Hijacked' })).length).toBe(0);
  });

  it('when a reseller edits its own customer, then the change is saved and audited with the reseller as actor', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.reseller });
    const response = await postForm(resellerAgent, `/reseller/customers/${customer.id}/edit`, {
      name: 'Renamed By Reseller', email: customer.email, billing_mode: 'postpaid', credit_limit: '20', max_concurrent_calls: '3', status: 'active',
    });
    expect(response.status).toBe(302);
    expect(await db('accounts').where({ id: customer.id }).first()).toMatchObject({ name: 'Renamed By Reseller', credit_limit: '20.000000', parent_id: people.reseller.id });
    const audit = await db('audit_log').where({ entity_id: customer.id, action: 'account.update' }).first();
    expect(audit.actor_id).toBe(people.reseller.id);
  });

  it('when a customer or a reseller opens the account pages of a role above it, then it gets 403', async () => {
    const customer = await loginAs(app, people.customer.email);
    expect((await customer.get('/admin/accounts')).status).toBe(403);
    expect((await customer.get('/reseller/customers')).status).toBe(403);
    expect((await resellerAgent.get('/admin/accounts')).status).toBe(403);
  });
});
