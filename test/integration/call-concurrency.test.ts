import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { findHoldingsTakingSlots } from '../../src/db/repos/call-holdings.ts';
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

  /** App instances, each with its own connection pool, as separate servers would have. */
  async function startInstances(count: number, url: string): Promise<string[]> {
    const started: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const own = createDb({ databaseUrl: url, poolMax: 10 });
      extraDbs.push(own);
      const app = createTestApp(own);
      const server = await new Promise<Server>((resolve) => {
        const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
      });
      servers.push(server);
      started.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
    return started;
  }

  beforeAll(async () => {
    const db = database.current.db;
    admin = await makeAccount(db, { role: 'admin' });
    token = (await makeSwitch(db, { admin })).token;
    urls.push(...(await startInstances(3, database.current.url!)));
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await Promise.all(extraDbs.map((db) => db.destroy()));
  });

  async function route(index: number, number: string, on: string[] = urls): Promise<string | undefined> {
    const response = await fetch(`${on[index % on.length]}/switch/freeswitch/dialplan`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(dialplanForm(number, randomUUID())).toString(),
    });
    expect(response.status).toBe(200);
    const route = routeOf(await response.text());
    return route.bridge ? 'accepted' : route.refusal;
  }

  it('when 10 route requests for a number with Concurrent Calls = 2 arrive at once, then exactly 2 are accepted', async () => {
    // Funds for ten longest calls: only the limit refuses.
    const customer = await makeAccount(database.current.db, { role: 'customer', parent: admin, balance: '1000' });
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
    const customer = await makeAccount(database.current.db, { role: 'customer', parent: admin, balance: '1000', max_concurrent_calls: 3 });
    const dids = await Promise.all(Array.from({ length: 4 }, () => makeOwnedDid(database.current.db, { owner: customer, concurrent_calls: 0 })));
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => route(i, dids[i % dids.length]!.number)));
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(3);
  });

  it('when 260 route requests over numbers of crossing accounts race in batches on three instances, then every limit holds exactly', async () => {
    const db = database.current.db;
    // Each instance batches the requests reaching it together: a batch locks numbers and accounts of
    // many calls at once, and batches on different instances overlap on the same accounts.
    const instances = await startInstances(3, database.current.url!);
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '1000', max_concurrent_calls: 4 });
    const resold = await Promise.all([0, 1].map(() => makeAccount(db, { role: 'customer', parent: reseller, balance: '1000', max_concurrent_calls: 100 })));
    const capped = await makeAccount(db, { role: 'customer', parent: admin, balance: '1000', max_concurrent_calls: 3 });
    const open = await makeAccount(db, { role: 'customer', parent: admin, balance: '1000', max_concurrent_calls: 0 });
    const groups = {
      // No limit of their own: only the account locks order these, which cross between batches.
      reseller: await Promise.all(Array.from({ length: 20 }, (_, i) => makeOwnedDid(db, { owner: resold[i % 2]!, reseller, concurrent_calls: 0 }))),
      capped: await Promise.all([0, 1, 2].map(() => makeOwnedDid(db, { owner: capped, concurrent_calls: 100 }))),
      perNumber: await Promise.all([0, 1, 2].map(() => makeOwnedDid(db, { owner: open, concurrent_calls: 2 }))),
    };
    const numbers = [...groups.reseller, ...groups.capped, ...groups.perNumber].map((did) => did.number);
    // Interleaved so that each batch mixes numbers and accounts, in varying order.
    const requests = Array.from({ length: 260 }, (_, i) => numbers[(i * 7) % numbers.length]!);
    const outcomes = await Promise.all(requests.map((number, i) => route(i, number, instances)));
    const acceptedOn = (dids: Array<{ number: string }>) =>
      requests.filter((number, i) => outcomes[i] === 'accepted' && dids.some((did) => did.number === number)).length;
    expect(acceptedOn(groups.reseller)).toBe(4);
    expect(acceptedOn(groups.capped)).toBe(3);
    for (const did of groups.perNumber) expect(acceptedOn([did])).toBe(2);
    expect(outcomes.filter((o) => o !== 'accepted').every((o) => o === 'limit_reached')).toBe(true);
    // Refused calls gave their slots back: only the accepted ones hold one.
    const slots = await db('call_slots').whereIn('product_id', Object.values(groups).flat().map((did) => did.id)).count({ n: '*' }).first();
    expect(Number(slots!.n)).toBe(4 + 3 + 6);
  });

  it('when a batch waits on a number locked elsewhere while another batch takes the same accounts in the other order, then both finish (locks in one global order)', async () => {
    const db = database.current.db;
    const first = await makeAccount(db, { role: 'customer', parent: admin, balance: '100', max_concurrent_calls: 5 });
    const second = await makeAccount(db, { role: 'customer', parent: admin, balance: '100', max_concurrent_calls: 5 });
    const ofFirst = await makeOwnedDid(db, { owner: first, concurrent_calls: 0 });
    const lockedElsewhere = await makeOwnedDid(db, { owner: second, concurrent_calls: 2 });
    const ofSecond = await makeOwnedDid(db, { owner: second, concurrent_calls: 0 });
    const [poolA, poolB] = [createDb({ databaseUrl: database.current.url!, poolMax: 1 }), createDb({ databaseUrl: database.current.url!, poolMax: 1 })];
    extraDbs.push(poolA, poolB);
    const call = (number: string) => ({ number, uuid: randomUUID(), switchId: null, now: new Date(), capSeconds: 7200, marginSeconds: 300, decimals: 4 });
    const waitingForLock = async () => {
      for (let i = 0; i < 100; i += 1) {
        const waiting = (await db.raw("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) as { rows: Array<{ n: string }> };
        if (Number(waiting.rows[0]!.n) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('the batch never waited for the number');
    };
    const holder = await db.transaction();
    // Another request holds the number's lock (as take_call_slots keys it) while batch A arrives.
    await holder.raw('SELECT pg_advisory_xact_lock(7301, ?)', [lockedElsewhere.id]);
    const batchA = findHoldingsTakingSlots(poolA, [call(ofFirst.number), call(lockedElsewhere.number)]);
    await waitingForLock();
    // Locking row by row, A would now hold its first account while waiting for the number, and B
    // would hold the second account while waiting for the first: a deadlock once the number frees.
    const batchB = findHoldingsTakingSlots(poolB, [call(ofSecond.number), call(ofFirst.number)]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await holder.commit();
    const [a, b] = await Promise.all([batchA, batchB]);
    expect([...a, ...b].map((found) => found?.slot?.taken)).toEqual([true, true, true, true]);
  });
});
