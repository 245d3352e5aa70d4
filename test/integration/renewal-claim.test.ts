// The renewal run claims due subscriptions with FOR UPDATE SKIP LOCKED. Pinned without a race: a
// second connection holds one due subscription's row lock inside an open transaction; the run must
// neither wait for it nor fail, and leaves that subscription to the next run. The run's connections
// have a lock timeout, so a claim that waited (FOR UPDATE without SKIP LOCKED) fails the test
// instead of hanging it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createDb } from '../../src/db/knex.ts';
import { runBilling } from '../../src/services/renewals.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeOwnedDid } from '../helpers/factories.ts';

const database = useTestDatabase();
const NOW = new Date('2027-06-01T00:00:00Z');
const DUE = new Date('2027-05-31T23:00:00Z');

describe.skipIf(!testServerUrl())('renewal claims skip locked rows (real Postgres only: the embedded database has one connection, so no second transaction can hold a lock)', () => {
  let runner: Knex;
  let holder: Knex;
  let admin: AccountRow;

  beforeAll(async () => {
    const url = new URL(database.current.url!);
    url.searchParams.set('options', '-c lock_timeout=3000');
    runner = createDb({ databaseUrl: url.toString(), poolMax: 2 });
    holder = createDb({ databaseUrl: database.current.url!, poolMax: 1 });
    admin = await makeAccount(database.current.db, { role: 'admin' });
  });

  afterAll(async () => {
    await Promise.all([runner.destroy(), holder.destroy()]);
  });

  async function subscriptionOf(productId: number) {
    return database.current.db('subscriptions').where({ product_id: productId }).first('id', 'next_billing_at');
  }

  it('when another transaction holds a due subscription\'s row lock, then the run finishes without waiting, renews the others and leaves that one for the next run', async () => {
    const db = database.current.db;
    const owners = await Promise.all([0, 1, 2].map(() => makeAccount(db, { role: 'customer', parent: admin, balance: '10' })));
    const dids = await Promise.all(owners.map((owner) => makeOwnedDid(db, { owner, price: '1.00', nextBillingAt: DUE })));
    const locked = (await subscriptionOf(dids[1]!.id))!;

    const lock = await holder.transaction();
    try {
      await lock('subscriptions').where({ id: locked.id }).forUpdate().first('id');
      const started = Date.now();
      const first = await runBilling(runner, { now: NOW, trigger: 'command', graceDays: 7 });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(first).toMatchObject({ renewed: 2, failed: 0, examined: 2 });
      expect((await subscriptionOf(dids[1]!.id))!.next_billing_at).toEqual(DUE);
      for (const i of [0, 2]) expect((await subscriptionOf(dids[i]!.id))!.next_billing_at.getTime()).toBeGreaterThan(NOW.getTime());
    } finally {
      await lock.rollback();
    }

    const second = await runBilling(runner, { now: NOW, trigger: 'command', graceDays: 7 });
    expect(second).toMatchObject({ renewed: 1, failed: 0, examined: 1 });
    expect((await subscriptionOf(dids[1]!.id))!.next_billing_at.getTime()).toBeGreaterThan(NOW.getTime());
    const charges = await db('ledger_entries').whereIn('account_id', owners.map((o) => o.id)).where({ kind: 'recurring_fee' });
    expect(charges.map((c) => c.amount)).toEqual(['-1.000000', '-1.000000', '-1.000000']);
  });
});
