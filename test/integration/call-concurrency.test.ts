import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createDb } from '../../src/db/knex.ts';
import { createTestApp } from '../helpers/app.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeOwnedDid, makeSwitch } from '../helpers/factories.ts';
import { dialplanForm, routeOf } from '../helpers/switch.ts';

// Real Postgres only: the embedded database has one connection, so requests cannot overlap there.
describe.skipIf(!testServerUrl())('concurrent calls across app instances (real Postgres)', () => {
  const database = useTestDatabase({ poolMax: 20 });
  const servers: Server[] = [];
  const urls: string[] = [];
  const extraDbs: Array<ReturnType<typeof createDb>> = [];
  let token: string;
  let admin: AccountRow;

  beforeAll(async () => {
    const db = database.current.db;
    admin = await makeAccount(db, { role: 'admin' });
    token = (await makeSwitch(db, { admin })).token;
    // Three app instances, each with its own connection pool, as three servers would have.
    for (let i = 0; i < 3; i += 1) {
      const own = createDb({ databaseUrl: database.current.url!, poolMax: 10 });
      extraDbs.push(own);
      const app = createTestApp(own);
      const server = await new Promise<Server>((resolve) => {
        const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
      });
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await Promise.all(extraDbs.map((db) => db.destroy()));
  });

  async function route(index: number, number: string): Promise<string | undefined> {
    const response = await fetch(`${urls[index % urls.length]}/switch/freeswitch/dialplan`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(dialplanForm(number, randomUUID())).toString(),
    });
    expect(response.status).toBe(200);
    const route = routeOf(await response.text());
    return route.bridge ? 'accepted' : route.refusal;
  }

  it('when 10 route requests for a number with Concurrent Calls = 2 arrive at once, then exactly 2 are accepted', async () => {
    const customer = await makeAccount(database.current.db, { role: 'customer', parent: admin, balance: '100' });
    const did = await makeOwnedDid(database.current.db, { owner: customer, concurrent_calls: 2 });
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => route(i, did.number)));
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'limit_reached')).toHaveLength(8);
    const slots = await database.current.db('call_slots').where({ product_id: did.id }).count({ n: '*' }).first();
    expect(Number(slots!.n)).toBe(2);
  });

  it('when CDR batches for the same accounts arrive at once on several instances, alongside route requests, then all are charged once and the ledgers reconcile', async () => {
    const db = database.current.db;
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '1000', max_concurrent_calls: 1000 });
    const customers = await Promise.all([0, 1, 2].map(() => makeAccount(db, { role: 'customer', parent: reseller, balance: '1000', max_concurrent_calls: 1000 })));
    const dids = await Promise.all(customers.map((owner) => makeOwnedDid(db, { owner, reseller, concurrent_calls: 1000 })));
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 100 }, (_, i) => ({
        uuid: `race-${b}-${i}`, destination: dids[(b + i) % dids.length]!.number, caller: '+15105550123',
        started_at: 1_780_000_000 + i, answered_at: 1_780_000_002 + i, ended_at: 1_780_000_100 + i, billsec: 98,
      })),
    );
    const sendBatch = (records: object[], index: number) =>
      fetch(`${urls[index % urls.length]}/api/v1/cdrs`, {
        method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(records),
      }).then((response) => response.status);
    const statuses = await Promise.all([
      ...batches.map(sendBatch),
      // The same batch twice at once: one stores it, the other finds duplicates.
      sendBatch(batches[0]!, 1),
      ...Array.from({ length: 12 }, (_, i) => route(i, dids[i % dids.length]!.number).then(() => 200)),
    ]);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const calls = await db('calls').where('uuid', 'like', 'race-%').count({ n: '*' }).first();
    expect(Number(calls!.n)).toBe(600);
    for (const account of [reseller, ...customers]) {
      const row = (await db('accounts').where({ id: account.id }).first('balance')) as { balance: string };
      const sum = (await db('ledger_entries').where({ account_id: account.id }).sum({ total: 'amount' }).first()) as { total: string };
      expect(row.balance).toBe(sum.total);
    }
    const charges = await db('ledger_entries').where({ kind: 'call_charge' }).whereIn('account_id', [reseller.id, ...customers.map((c) => c.id)]).count({ n: '*' }).first();
    expect(Number(charges!.n)).toBe(1200);
  });

  it("when 20 requests race for an account's maximum of 3 across its numbers, then exactly 3 are accepted", async () => {
    const customer = await makeAccount(database.current.db, { role: 'customer', parent: admin, balance: '100', max_concurrent_calls: 3 });
    const dids = await Promise.all(Array.from({ length: 4 }, () => makeOwnedDid(database.current.db, { owner: customer, concurrent_calls: 0 })));
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => route(i, dids[i % dids.length]!.number)));
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(3);
  });
});
