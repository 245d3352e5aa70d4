// Exactly once on real Postgres: several billing runs at the same time, each with its own
// connection pool (as separate servers or a server and the command would be), over the same due
// subscriptions. PGlite has one connection, so nothing runs concurrently there.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/knex.ts';
import { runBilling, type BillingRunSummary } from '../../src/services/renewals.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDids, makeFundedAccounts, makeSubscriptions } from '../helpers/factories.ts';

const database = useTestDatabase();
const NOW = new Date('2027-06-01T00:00:00Z');
const DUE = new Date('2027-05-31T23:00:00Z');
const ACCOUNTS = 50;
const PER_ACCOUNT = 20;
const RUNNERS = 4;

describe.skipIf(!testServerUrl())('billing runs racing on real Postgres', () => {
  let db: Knex;
  const runners: Knex[] = [];
  let accountIds: number[] = [];
  /** Renewals each account can pay: its balance covers that many of its 20 subscriptions at 1.00. */
  const affordable = new Map<number, number>();

  beforeAll(async () => {
    db = database.current.db;
    const admin = await makeAccount(db, { role: 'admin' });
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({
      role: 'customer' as const, parent_id: admin.id, billing_mode: i % 5 === 0 ? 'postpaid' as const : 'prepaid' as const,
      credit_limit: i % 5 === 0 ? '3' : '0',
      // Every third account can pay only some of its renewals.
      balance: i % 3 === 0 ? '12.5' : '100',
    }));
    accountIds = await makeFundedAccounts(db, accounts);
    accountIds.forEach((id, i) => {
      const funds = Number(accounts[i]!.balance) + Number(accounts[i]!.credit_limit);
      affordable.set(id, Math.min(PER_ACCOUNT, Math.floor(funds)));
    });

    const suffix = randomUUID().replace(/\D/g, '').padEnd(6, '7').slice(0, 6);
    const products = accountIds.flatMap((id, a) => Array.from({ length: PER_ACCOUNT }, (_, n) => ({
      number: `+1646${suffix.slice(0, 2)}${String(a * PER_ACCOUNT + n).padStart(5, '0')}`, country: 'US',
      monthly_fee: '1.00', billing_type: 'recurring', billing_days: 30, customer_id: id,
    })));
    const productIds = await makeDids(db, products);
    await makeSubscriptions(db, productIds.map((p) => ({
      product_id: p.id, account_id: p.customer_id!, seller_id: admin.id, price: '1.00', started_at: new Date('2027-05-01T23:00:00Z'), next_billing_at: DUE,
    })));
    for (let i = 0; i < RUNNERS; i += 1) runners.push(createDb({ databaseUrl: database.current.url!, poolMax: 2 }));
  });

  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.destroy()));
  });

  const runAll = () =>
    Promise.all(runners.map((runner) => runBilling(runner, { now: NOW, trigger: 'schedule', graceDays: 7, batchSize: 40 })));

  async function renewalCharges(): Promise<Array<{ reference_id: number; account_id: number; count: number }>> {
    const rows = (await db('ledger_entries')
      .where('idempotency_key', 'like', 'renewal:%')
      .groupBy('reference_id', 'account_id')
      .select('reference_id', 'account_id', db.raw('count(*) as count'))) as Array<{ reference_id: number; account_id: number; count: string | number }>;
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  const sum = (summaries: BillingRunSummary[], key: 'renewed' | 'suspended') => summaries.reduce((total, s) => total + s[key], 0);

  it(`when ${RUNNERS} runs go at once over ${ACCOUNTS * PER_ACCOUNT} due subscriptions, then each is charged exactly once and a second pass charges nothing`, async () => {
    const expectedRenewals = [...affordable.values()].reduce((a, b) => a + b, 0);
    const first = await runAll();

    const charges = await renewalCharges();
    expect(charges.every((c) => c.count === 1)).toBe(true);
    expect(charges).toHaveLength(expectedRenewals);
    expect(sum(first, 'renewed')).toBe(expectedRenewals);
    expect(sum(first, 'suspended')).toBe(ACCOUNTS * PER_ACCOUNT - expectedRenewals);
    // The runs shared the work: more than one of them renewed something.
    expect(first.filter((s) => s.renewed > 0).length).toBeGreaterThan(1);
    for (const id of accountIds) {
      expect(charges.filter((c) => c.account_id === id)).toHaveLength(affordable.get(id)!);
    }
    const statuses = (await db('subscriptions').whereIn('account_id', accountIds).groupBy('status', 'next_billing_at')
      .select('status', 'next_billing_at', db.raw('count(*) as count'))) as Array<{ status: string; next_billing_at: Date; count: string | number }>;
    expect(statuses.map((s) => [s.status, s.next_billing_at.toISOString(), Number(s.count)]).sort()).toEqual([
      ['active', '2027-06-30T23:00:00.000Z', expectedRenewals],
      ['suspended', DUE.toISOString(), ACCOUNTS * PER_ACCOUNT - expectedRenewals],
    ].sort());

    const second = await runAll();
    expect(sum(second, 'renewed')).toBe(0);
    expect(sum(second, 'suspended')).toBe(0);
    expect(await renewalCharges()).toHaveLength(expectedRenewals);

    const mismatched = await db.raw(`
      SELECT a.id, a.balance, coalesce(sum(l.amount), 0) AS total FROM accounts a LEFT JOIN ledger_entries l ON l.account_id = a.id
      WHERE a.id = ANY(?) GROUP BY a.id HAVING a.balance <> coalesce(sum(l.amount), 0)`, [accountIds]);
    expect(mismatched.rows).toEqual([]);
    const overdrawn = await db('accounts').whereIn('id', accountIds).whereRaw("balance + CASE WHEN billing_mode = 'postpaid' THEN credit_limit ELSE 0 END < 0");
    expect(overdrawn).toEqual([]);
    const runRows = await db('billing_runs').whereIn('id', first.map((s) => s.run!.id));
    expect(runRows.reduce((total, r) => total + r.renewed_count, 0)).toBe(expectedRenewals);
    expect(runRows.every((r) => r.status === 'finished')).toBe(true);
  });
});
