// Payments, refills and adjustments: recorded by the admin on any account, by a reseller on its
// own customers; a confirmation first; one ledger row per form; balance = sum(ledger) always.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { ConflictError, NotFoundError } from '../../src/errors.ts';
import { recordManualEntry } from '../../src/services/manual-postings.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { releaseDid } from '../../src/services/releases.ts';
import { createTestApp, testPricing } from '../helpers/app.ts';
import { createTestDatabase, testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeHierarchy } from '../helpers/factories.ts';
import { csrfTokenIn, loginAs, postForm, type Agent } from '../helpers/login.ts';

const PRICING = testPricing();

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
  otherReseller = await makeAccount(db, { role: 'reseller', parent: people.admin });
  otherResellersCustomer = await makeAccount(db, { role: 'customer', parent: otherReseller, balance: '10' });
  adminAgent = await loginAs(app, people.admin.email);
  resellerAgent = await loginAs(app, people.reseller.email);
});

async function balanceOf(accountId: number): Promise<string> {
  return ((await db('accounts').where({ id: accountId }).first('balance')) as { balance: string }).balance;
}

async function ledgerOf(accountId: number) {
  return db('ledger_entries').where({ account_id: accountId }).orderBy('id');
}

/** Opens the money form and returns its idempotency key. */
async function formKey(agent: Agent, base: string): Promise<string> {
  const page = await agent.get(`${base}/money`);
  expect(page.status).toBe(200);
  const match = /name="idempotency_key" value="([^"]+)"/.exec(page.text);
  expect(match).not.toBeNull();
  return match![1]!;
}

describe('recording money through the form', () => {
  it('when the admin reviews a payment, then the confirmation shows the balance before and after and nothing is written yet', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin, balance: '12.5' });
    const base = `/admin/accounts/${customer.id}`;
    const key = await formKey(adminAgent, base);
    const review = await postForm(adminAgent, `${base}/money`, { kind: 'payment', amount: '30.25', note: 'Wire 42', idempotency_key: key }, `${base}/money`);
    expect(review.status).toBe(200);
    expect(review.text).toContain('data-balance-before="12.500000"');
    expect(review.text).toContain('data-balance-after="42.750000"');
    expect(review.text).toContain('$42.7500');
    expect(await ledgerOf(customer.id)).toHaveLength(1);

    const confirm = await adminAgent.post(`${base}/money/confirm`).type('form')
      .send({ kind: 'payment', amount: '30.25', note: 'Wire 42', idempotency_key: key, action: 'confirm', _csrf: csrfTokenIn(review.text) });
    expect(confirm.status).toBe(302);
    expect(confirm.headers.location).toBe(`${base}/transactions`);
    const ledger = await ledgerOf(customer.id);
    expect(ledger).toHaveLength(2);
    expect(ledger[1]).toMatchObject({ kind: 'payment', amount: '30.250000', balance_after: '42.750000', description: 'Wire 42', created_by: people.admin.id });
    expect(await balanceOf(customer.id)).toBe('42.750000');
    const page = await adminAgent.get(`${base}/transactions`);
    expect(page.text).toContain('Payment received of USD 30.2500 recorded');
    const audit = await db('audit_log').where({ entity_id: customer.id, action: 'ledger.payment' });
    expect(audit).toHaveLength(1);
  });

  it('when the confirmed form is sent twice, then the money moves once and the second answer says it was already recorded', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.reseller });
    const base = `/reseller/customers/${customer.id}`;
    const key = await formKey(resellerAgent, base);
    const fields = { kind: 'refill', amount: '5', note: '', idempotency_key: key, action: 'confirm' };
    const first = await postForm(resellerAgent, `${base}/money/confirm`, fields, `${base}/money`);
    const second = await postForm(resellerAgent, `${base}/money/confirm`, fields, `${base}/money`);
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(await ledgerOf(customer.id)).toHaveLength(1);
    expect(await balanceOf(customer.id)).toBe('5.000000');
    expect((await resellerAgent.get(`${base}/transactions`)).text).toContain('had already been recorded');
  });

  it('when "Change" is pressed on the confirmation, then the form comes back filled and nothing is written', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin });
    const base = `/admin/accounts/${customer.id}`;
    const key = await formKey(adminAgent, base);
    const response = await postForm(adminAgent, `${base}/money/confirm`, { kind: 'payment', amount: '9.99', note: 'x', idempotency_key: key, action: 'change' }, `${base}/money`);
    expect(response.status).toBe(200);
    expect(response.text).toContain('value="9.99"');
    expect(response.text).toContain(`value="${key}"`);
    expect(await ledgerOf(customer.id)).toHaveLength(0);
  });

  it.each([
    [{ kind: 'payment', amount: '-5' }, 'A payment is a positive amount'],
    [{ kind: 'refill', amount: '0' }, 'A refill is a positive amount'],
    [{ kind: 'adjustment', amount: '0', note: 'x' }, 'An adjustment cannot be zero'],
    [{ kind: 'payment', amount: '1,000.00' }, 'no thousands separators'],
    [{ kind: 'payment', amount: '12.34567' }, 'Use at most 4 decimals'],
    [{ kind: 'payment', amount: '' }, 'Enter an amount'],
    [{ kind: 'adjustment', amount: '-3' }, 'Say why the adjustment is made'],
    [{ kind: 'bonus', amount: '3' }, 'Choose payment, refill or adjustment'],
  ])('when the form has %o, then it is refused with "%s" and nothing moves', async (fields, message) => {
    const base = `/admin/accounts/${people.customer.id}`;
    const key = await formKey(adminAgent, base);
    const before = await balanceOf(people.customer.id);
    for (const path of [`${base}/money`, `${base}/money/confirm`]) {
      const response = await postForm(adminAgent, path, { note: '', idempotency_key: key, ...fields }, `${base}/money`);
      expect(response.status).toBe(400);
      expect(response.text).toContain(message);
    }
    expect(await balanceOf(people.customer.id)).toBe(before);
  });

  it('when an adjustment takes money off and points to the entry it corrects, then the row links to it', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin, balance: '50' });
    const [payment] = await ledgerOf(customer.id);
    const base = `/admin/accounts/${customer.id}`;
    const transactions = await adminAgent.get(`${base}/transactions`);
    expect(transactions.text).toContain(`href="${base}/money?corrects=${payment.id}"`);
    const form = await adminAgent.get(`${base}/money?corrects=${payment.id}`);
    expect(form.text).toContain(`value="${payment.id}"`);
    expect(form.text).toMatch(/<option value="adjustment"\s+selected>/);
    const key = /name="idempotency_key" value="([^"]+)"/.exec(form.text)![1]!;
    const fields = { kind: 'adjustment', amount: '-20', note: 'Payment entered twice', corrects_entry_id: String(payment.id), idempotency_key: key };
    const review = await postForm(adminAgent, `${base}/money`, fields, `${base}/money`);
    expect(review.status).toBe(200);
    expect(review.text).toContain(`Entry ${payment.id}`);
    expect((await postForm(adminAgent, `${base}/money/confirm`, { ...fields, action: 'confirm' }, `${base}/money`)).status).toBe(302);
    const ledger = await ledgerOf(customer.id);
    expect(ledger[1]).toMatchObject({ kind: 'adjustment', amount: '-20.000000', balance_after: '30.000000', corrects_entry_id: payment.id });
  });

  it("when an adjustment points to another account's entry, then it is refused", async () => {
    const [foreign] = await ledgerOf(otherResellersCustomer.id);
    const base = `/admin/accounts/${people.customer.id}`;
    const key = await formKey(adminAgent, base);
    const response = await postForm(adminAgent, `${base}/money`, { kind: 'adjustment', amount: '1', note: 'x', corrects_entry_id: String(foreign.id), idempotency_key: key }, `${base}/money`);
    expect(response.status).toBe(400);
    expect(response.text).toContain('is not one of this account&#39;s entries');
  });

  it('when a negative adjustment leaves a prepaid account below zero, then the confirmation warns before it is recorded', async () => {
    const customer = await makeAccount(db, { role: 'customer', parent: people.admin, balance: '3' });
    const base = `/admin/accounts/${customer.id}`;
    const key = await formKey(adminAgent, base);
    const review = await postForm(adminAgent, `${base}/money`, { kind: 'adjustment', amount: '-5', note: 'Chargeback', idempotency_key: key }, `${base}/money`);
    expect(review.text).toContain('available funds are below zero');
  });

  it("when a reseller records money on another reseller's customer, then it gets a 404 and nothing moves", async () => {
    const base = `/reseller/customers/${otherResellersCustomer.id}`;
    const before = await balanceOf(otherResellersCustomer.id);
    const fields = { kind: 'payment', amount: '100', note: '', idempotency_key: randomUUID(), action: 'confirm' };
    expect((await postForm(resellerAgent, `${base}/money`, fields, '/reseller/customers')).status).toBe(404);
    expect((await postForm(resellerAgent, `${base}/money/confirm`, fields, '/reseller/customers')).status).toBe(404);
    expect(await balanceOf(otherResellersCustomer.id)).toBe(before);
  });

  it('when a form key already used for one account is sent for another, then it is refused', async () => {
    const key = randomUUID();
    const scope = { kind: 'admin', adminId: people.admin.id } as const;
    const actor = { actorId: people.admin.id, now: new Date() };
    await recordManualEntry(db, scope, { accountId: people.customer.id, kind: 'payment', amount: '1', note: '', idempotencyKey: key }, actor);
    await expect(recordManualEntry(db, scope, { accountId: people.resellerCustomer.id, kind: 'payment', amount: '1', note: '', idempotencyKey: key }, actor))
      .rejects.toBeInstanceOf(ConflictError);
    await expect(recordManualEntry(db, { kind: 'reseller', resellerId: people.reseller.id }, { accountId: people.customer.id, kind: 'payment', amount: '1', note: '', idempotencyKey: randomUUID() }, actor))
      .rejects.toBeInstanceOf(NotFoundError);
  });
});

async function checkReconciled(target: Knex, accountIds?: number[]) {
  const query = target('accounts as a')
    .leftJoin('ledger_entries as l', 'l.account_id', 'a.id')
    .groupBy('a.id', 'a.balance')
    .select('a.id', 'a.balance', target.raw('coalesce(sum(l.amount), 0)::numeric(20,6)::text as ledger_sum'));
  if (accountIds) query.whereIn('a.id', accountIds);
  const rows = (await query) as Array<{ id: number; balance: string; ledger_sum: string }>;
  for (const row of rows) expect(row.balance, `account ${row.id}`).toBe(row.ledger_sum);
  // Each row's balance_after is the one before it plus its amount: the chain has no gap or fork.
  const entries = (await target('ledger_entries').modify((q) => { if (accountIds) q.whereIn('account_id', accountIds); })
    .orderBy(['account_id', 'id']).select('account_id', 'amount', 'balance_after')) as Array<{ account_id: number; amount: string; balance_after: string }>;
  let previous: { account_id: number; balance_after: string } | undefined;
  for (const entry of entries) {
    const before = previous && previous.account_id === entry.account_id ? Number(previous.balance_after) : 0;
    expect(Number(entry.balance_after)).toBeCloseTo(before + Number(entry.amount), 6);
    previous = entry;
  }
  return rows.length;
}

describe('reconciliation', () => {
  it('when payments, refills and adjustments are mixed over many accounts, then every balance equals the sum of its ledger', async () => {
    const scope = { kind: 'admin', adminId: people.admin.id } as const;
    const actor = { actorId: people.admin.id, now: new Date() };
    const accounts = [people.customer, people.reseller, people.resellerCustomer, otherResellersCustomer];
    const amounts = ['10', '0.0001', '-3.5', '1234.5678', '-0.0001', '7'];
    for (const [i, account] of accounts.entries()) {
      for (const [j, amount] of amounts.entries()) {
        const kind = amount.startsWith('-') ? 'adjustment' : (['payment', 'refill'] as const)[(i + j) % 2]!;
        await recordManualEntry(db, scope, { accountId: account.id, kind, amount, note: 'mix', idempotencyKey: randomUUID() }, actor);
      }
    }
    expect(await checkReconciled(db)).toBeGreaterThan(4);
  });

  it('when purchases, a refused purchase, a release and payments are mixed, then every balance still equals the sum of its ledger', async () => {
    const now = new Date();
    const scope = { kind: 'admin', adminId: people.admin.id } as const;
    const reseller = await makeAccount(db, { role: 'reseller', parent: people.admin, balance: '20' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '4' });
    const direct = await makeAccount(db, { role: 'customer', parent: people.admin, billing_mode: 'postpaid', credit_limit: '10' });
    const dids = await Promise.all([1, 2, 3, 4].map(() => makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' })));
    const buy = (buyer: AccountRow, productId: number) =>
      purchaseDid(db, { pricing: PRICING, buyerId: buyer.id, productId, idempotencyKey: randomUUID(), now, actorId: buyer.id });
    await buy(reseller, dids[0]!.id);
    await buy(reseller, dids[1]!.id);
    await buy(customer, dids[0]!.id);
    await buy(direct, dids[2]!.id);
    await expect(buy(customer, dids[1]!.id)).rejects.toThrow();
    await recordManualEntry(db, { kind: 'reseller', resellerId: reseller.id }, { accountId: customer.id, kind: 'refill', amount: '10', note: '', idempotencyKey: randomUUID() }, { actorId: reseller.id, now });
    await buy(customer, dids[1]!.id);
    await releaseDid(db, { accountId: direct.id, productId: dids[2]!.id, now, actorId: direct.id });
    await recordManualEntry(db, scope, { accountId: direct.id, kind: 'adjustment', amount: '-1.5', note: 'Correction', idempotencyKey: randomUUID() }, { actorId: people.admin.id, now });
    const kinds = (await db('ledger_entries').whereIn('account_id', [reseller.id, customer.id, direct.id]).distinct('kind')).map((r: { kind: string }) => r.kind);
    expect(kinds.sort()).toEqual(['adjustment', 'payment', 'recurring_fee', 'refill', 'setup_fee']);
    await checkReconciled(db);
  });
});

describe.skipIf(!testServerUrl())('concurrent postings on real Postgres', () => {
  it('when 20 payments and 20 resubmits of one form hit one account at once, then 21 rows are written and balance, ledger sum and chain agree', async () => {
    const separate = await createTestDatabase({ poolMax: 25 });
    try {
      const target = separate.db;
      const admin = await makeAccount(target, { role: 'admin' });
      const customer = await makeAccount(target, { role: 'customer', parent: admin, billing_mode: 'postpaid', credit_limit: '5' });
      const scope = { kind: 'admin', adminId: admin.id } as const;
      const actor = { actorId: admin.id, now: new Date() };
      const repeated = randomUUID();
      const results = await Promise.all([
        ...Array.from({ length: 20 }, (_, i) =>
          recordManualEntry(target, scope, { accountId: customer.id, kind: 'payment', amount: `${i + 1}.25`, note: `p${i}`, idempotencyKey: randomUUID() }, actor)),
        ...Array.from({ length: 20 }, () =>
          recordManualEntry(target, scope, { accountId: customer.id, kind: 'refill', amount: '100', note: 'once', idempotencyKey: repeated }, actor)),
      ]);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(21);
      const ledger = await target('ledger_entries').where({ account_id: customer.id });
      expect(ledger).toHaveLength(21);
      // 1.25 + 2.25 + ... + 20.25 = 215, plus the one refill of 100.
      expect(((await target('accounts').where({ id: customer.id }).first()) as AccountRow).balance).toBe('315.000000');
      await checkReconciled(target, [customer.id]);
    } finally {
      await separate.destroy();
    }
  });
});
