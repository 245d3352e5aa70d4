// Issue 13 "What must work" 1: parallel calls can never take an account below what its credit
// allows, however many calls run at once on however many app instances. Every accepted call's CDR
// is then posted at its full allowed duration, the worst case.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createDb } from '../../src/db/knex.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeOwnedDid, makeSwitch } from '../helpers/factories.ts';

interface Decision {
  decision: 'accept' | 'refuse';
  uuid: string;
  number: string;
  max_seconds?: number;
  reason?: string;
}

// Real Postgres only: the embedded database has one connection, so requests cannot overlap there.
describe.skipIf(!testServerUrl())('credit under parallel calls (real Postgres)', () => {
  const database = useTestDatabase({ poolMax: 20 });
  const servers: Server[] = [];
  const pools: Array<ReturnType<typeof createDb>> = [];
  let urls: string[] = [];
  let token: string;
  let admin: AccountRow;

  beforeAll(async () => {
    admin = await makeAccount(database.current.db, { role: 'admin' });
    token = (await makeSwitch(database.current.db, { admin })).token;
    // Two app instances, each with its own pool, as two servers would have. Calls of at most 10
    // minutes (6.04 at the product terms), so the funds are shared by several calls and the last
    // ones get what is left: the allowances are computed after the other reservations.
    for (let i = 0; i < 2; i += 1) {
      const pool = createDb({ databaseUrl: database.current.url!, poolMax: 10 });
      pools.push(pool);
      const server = await new Promise<Server>((resolve) => {
        const listening = createTestApp(pool, { config: testConfig({ MAX_CALL_SECONDS: '600' }) }).listen(0, '127.0.0.1', () => resolve(listening));
      });
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await Promise.all(pools.map((pool) => pool.destroy()));
    urls = [];
  });

  async function post(url: string, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${url}${path}`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  /** `count` route requests at once over `numbers`, spread over `instances` app instances; then
   *  each accepted call's CDR at its full allowance, all at once too. */
  async function raceAndSettle(numbers: string[], count: number, instances: number): Promise<Decision[]> {
    const decisions = await Promise.all(Array.from({ length: count }, async (_, i) => {
      const { status, body } = await post(urls[i % instances]!, '/api/v1/calls/authorize', {
        uuid: randomUUID(), destination: numbers[i % numbers.length], caller: '+15105550123',
      });
      expect(status).toBe(200);
      return body as Decision;
    }));
    const start = Math.floor(Date.now() / 1000);
    const accepted = decisions.filter((d) => d.decision === 'accept');
    const settled = await Promise.all(accepted.map((d, i) => post(urls[i % instances]!, '/api/v1/cdrs', [{
      uuid: d.uuid, destination: d.number, caller: '+15105550123', started_at: start, answered_at: start + 1,
      ended_at: start + 1 + d.max_seconds!, billsec: d.max_seconds,
    }])));
    expect(settled.map((s) => s.status)).toEqual(accepted.map(() => 200));
    return decisions;
  }

  async function expectProtected(account: AccountRow, startingFunds: string, floor: string): Promise<void> {
    const db = database.current.db;
    const row = (await db('accounts').where({ id: account.id }).first('balance')) as { balance: string };
    const charged = (await db('ledger_entries').where({ account_id: account.id, kind: 'call_charge' }).sum({ total: 'amount' }).first()) as { total: string | null };
    expect(new Decimal(row.balance).gte(floor), `${account.name} ends at ${row.balance}`).toBe(true);
    expect(new Decimal(charged.total ?? 0).negated().lte(startingFunds)).toBe(true);
    // Every call settled: nothing stays reserved, and the total agrees with the slots (none).
    const reserved = (await db('account_reservations').where({ account_id: account.id }).first()) as { reserved: string } | undefined;
    expect(reserved?.reserved ?? '0.000000').toBe('0.000000');
  }

  it('when 20 calls to a prepaid account are authorised at once, then their CDRs at full length leave it at >= 0, charged at most its funds', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '23.69' });
    const dids = await Promise.all([0, 1, 2, 3].map(() => makeOwnedDid(db, { owner: customer, concurrent_calls: 0 })));
    const decisions = await raceAndSettle(dids.map((d) => d.number), 20, 1);
    const accepted = decisions.filter((d) => d.decision === 'accept');
    // The funds were shared out: more than one call, each refused one for its funds.
    expect(accepted.length).toBeGreaterThan(1);
    expect(decisions.filter((d) => d.decision === 'refuse').every((d) => d.reason === 'insufficient_funds')).toBe(true);
    await expectProtected(customer, '23.69', '0');
  });

  it('when 20 calls through a reseller chain are authorised at once, then the customers and the reseller all stay within their funds', async () => {
    const db = database.current.db;
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '30' });
    const customers = await Promise.all([0, 1].map(() => makeAccount(db, { role: 'customer', parent: reseller, balance: '40' })));
    const dids = await Promise.all(customers.map((owner) => makeOwnedDid(db, { owner, reseller, concurrent_calls: 0 })));
    const decisions = await raceAndSettle(dids.map((d) => d.number), 20, 1);
    expect(decisions.filter((d) => d.decision === 'accept').length).toBeGreaterThan(1);
    await expectProtected(reseller, '30', '0');
    for (const customer of customers) await expectProtected(customer, '40', '0');
  });

  it('when the 20 calls arrive at two app instances, then the account still ends at >= 0', async () => {
    const db = database.current.db;
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '25' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '23.69' });
    const dids = await Promise.all([0, 1, 2].map(() => makeOwnedDid(db, { owner: customer, reseller, concurrent_calls: 0 })));
    await raceAndSettle(dids.map((d) => d.number), 20, 2);
    await expectProtected(customer, '23.69', '0');
    await expectProtected(reseller, '25', '0');
  });

  it('when 20 calls to a postpaid account are authorised at once on two instances, then it never goes past its credit limit', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '5', billing_mode: 'postpaid', credit_limit: '10' });
    const dids = await Promise.all([0, 1].map(() => makeOwnedDid(db, { owner: customer, concurrent_calls: 0 })));
    const decisions = await raceAndSettle(dids.map((d) => d.number), 20, 2);
    expect(decisions.filter((d) => d.decision === 'accept').length).toBeGreaterThan(1);
    await expectProtected(customer, '15', '-10');
  });
});
