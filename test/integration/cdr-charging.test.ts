import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { Money } from '../../src/domain/money.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeOwnedDid, makeSwitch } from '../helpers/factories.ts';
import { dialplanForm, freeswitchCdr, postDialplan, postFreeswitchCdr, routeOf } from '../helpers/switch.ts';

const database = useTestDatabase();
let app: Express;
let token: string;
let admin: AccountRow;

beforeAll(async () => {
  const db = database.current.db;
  app = createTestApp(db);
  admin = await makeAccount(db, { role: 'admin' });
  token = (await makeSwitch(db, { admin })).token;
});

async function balanceOf(accountId: number): Promise<string> {
  const row = (await database.current.db('accounts').where({ id: accountId }).first('balance')) as { balance: string };
  return new Money(row.balance).toFixed(4);
}

async function ledgerSum(accountId: number): Promise<string> {
  const row = (await database.current.db('ledger_entries').where({ account_id: accountId }).sum({ total: 'amount' }).first()) as { total: string | null };
  return new Money(row.total ?? '0').toFixed(4);
}

describe('FreeSWITCH CDRs (mod_json_cdr)', () => {
  // BILLING.md's worked examples: C 0.10, G 10, R 0.60, I 60, N 6 (the terms of makeDid).
  it.each([
    [0, 0, '0.0000'],
    [5, 0, '0.1000'],
    [11, 60, '0.7000'],
    [61, 60, '0.7000'],
    [71, 66, '0.7600'],
    [125, 120, '1.3000'],
    [3600, 3594, '36.0400'],
  ])('when a direct customer takes a %i s call, then it is billed %i s and charged %s', async (billsec, billed, cost) => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const did = await makeOwnedDid(db, { owner: customer });
    const uuid = randomUUID();
    const response = await postFreeswitchCdr(app, token, freeswitchCdr({ uuid, number: did.number, billsec }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'stored', uuid, cost });
    const call = await db('calls').where({ uuid }).first();
    expect(call).toMatchObject({ number: did.number, caller: '+15105550123', billsec, billed_seconds: billed, owner_id: customer.id, reseller_id: null });
    expect(await balanceOf(customer.id)).toBe(new Money('100').minus(cost).toFixed(4));
    const entries = await db('ledger_entries').where({ account_id: customer.id, kind: 'call_charge' });
    if (cost === '0.0000') {
      expect(entries).toHaveLength(0);
    } else {
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ reference_type: 'call', reference_id: call.id, idempotency_key: `call:${uuid}:${customer.id}` });
      expect(new Money(entries[0].amount).toFixed(4)).toBe(`-${cost}`);
    }
    expect(await ledgerSum(customer.id)).toBe(await balanceOf(customer.id));
  });

  it('when a customer of a reseller is called, then the customer pays the sell terms and the reseller the product terms, each stored with its terms', async () => {
    const db = database.current.db;
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '50' });
    const did = await makeOwnedDid(db, {
      owner: customer, reseller, sell: { connection_cost: '0.15', grace_seconds: 0, cost_per_minute: '0.90', initial_increment: 30, increment: 6 },
    });
    const uuid = randomUUID();
    const response = await postFreeswitchCdr(app, token, freeswitchCdr({ uuid, number: did.number, billsec: 125 }));
    // Customer: 0.15 + 0.90 × 126/60 = 2.0400 (30 s block, then 95 s → 96 s). Reseller: 1.3000.
    expect(response.body).toMatchObject({ status: 'stored', cost: '2.0400' });
    expect(await balanceOf(customer.id)).toBe('47.9600');
    expect(await balanceOf(reseller.id)).toBe('98.7000');
    const call = await db('calls').where({ uuid }).first();
    const charges = await db('call_charges').where({ call_id: call.id }).orderBy('level');
    expect(charges.map((c: { account_id: number; role: string; billed_seconds: number }) => [c.account_id, c.role, c.billed_seconds])).toEqual([
      [customer.id, 'customer', 126],
      [reseller.id, 'reseller', 120],
    ]);
    expect(charges[0].terms).toMatchObject({ source: 'reseller_price', cost_per_minute: '0.900000', initial_increment: 30 });
    expect(charges[1].terms).toMatchObject({ source: 'product', cost_per_minute: '0.600000', initial_increment: 60 });
    expect(charges[0].breakdown).toMatchObject({ total: '2.0400', billedSeconds: 126 });

    // The terms change later: the stored call keeps what it was rated with.
    await db('reseller_prices').where({ product_id: did.id }).update({ cost_per_minute: '9.00' });
    const again = await db('call_charges').where({ call_id: call.id, level: 0 }).first();
    expect(new Money(again.cost).toFixed(4)).toBe('2.0400');
  });

  it('when the same CDR is posted again, then nothing changes and the answer says duplicate', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeOwnedDid(db, { owner: customer });
    const cdr = freeswitchCdr({ uuid: randomUUID(), number: did.number, billsec: 71 });
    expect((await postFreeswitchCdr(app, token, cdr)).body.status).toBe('stored');
    const after = await balanceOf(customer.id);
    const replay = await postFreeswitchCdr(app, token, cdr);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ status: 'duplicate', uuid: cdr.variables.uuid });
    expect(await balanceOf(customer.id)).toBe(after);
    expect(await db('calls').where({ uuid: cdr.variables.uuid }).count({ n: '*' }).first().then((r) => Number(r!.n))).toBe(1);
  });

  it('when mod_json_cdr posts a form (encode=true) or Base64 (encode=base64), then it is read the same way', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeOwnedDid(db, { owner: customer });
    const form = freeswitchCdr({ uuid: randomUUID(), number: did.number, billsec: 11 });
    const asForm = await request(app).post('/switch/freeswitch/cdr').set('Authorization', `Bearer ${token}`).type('form').send({ cdr: JSON.stringify(form) });
    expect(asForm.body).toMatchObject({ status: 'stored', cost: '0.7000' });
    const b64 = freeswitchCdr({ uuid: randomUUID(), number: did.number, billsec: 11 });
    const asBase64 = await request(app).post('/switch/freeswitch/cdr').set('Authorization', `Bearer ${token}`).type('form')
      .send({ cdr: Buffer.from(JSON.stringify(b64)).toString('base64') });
    expect(asBase64.body).toMatchObject({ status: 'stored', cost: '0.7000' });
  });

  it('when the CDR arrives, then the call frees its concurrency slot', async () => {
    const db = database.current.db;
    // Funds for several longest calls: only the limit refuses the second call.
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '1000' });
    const did = await makeOwnedDid(db, { owner: customer, concurrent_calls: 1 });
    const uuid = randomUUID();
    expect(routeOf((await postDialplan(app, token, dialplanForm(did.number, uuid))).text).bridge).toBeDefined();
    expect(routeOf((await postDialplan(app, token, dialplanForm(did.number))).text).refusal).toBe('limit_reached');
    await postFreeswitchCdr(app, token, freeswitchCdr({ uuid, number: did.number, billsec: 30 }));
    expect(routeOf((await postDialplan(app, token, dialplanForm(did.number))).text).bridge).toBeDefined();
  });

  it.each([
    ['not an object', '[1,2]', 'not a JSON object'],
    ['no variables', '{"channel_data":{}}', 'no "variables"'],
    ['no uuid', JSON.stringify({ variables: { billsec: '10', start_epoch: '1780000000', answer_epoch: '1780000001', destination_number: '+14155550100' } }), 'variables.uuid is missing'],
    ['bad billsec', JSON.stringify({ variables: { uuid: 'abc-1', billsec: 'ten', start_epoch: '1780000000', destination_number: '+14155550100' } }), 'variables.billsec'],
    ['billsec without answer', JSON.stringify({ variables: { uuid: 'abc-2', billsec: '10', start_epoch: '1780000000', answer_epoch: '0', end_epoch: '1780000010', destination_number: '+14155550100' } }), 'never answered'],
    ['broken JSON', '{"variables": {', 'not valid JSON'],
  ])('when the CDR has %s, then 400 with the reason, and it is kept in the rejected list', async (_label, body, reason) => {
    const db = database.current.db;
    const before = Number((await db('rejected_cdrs').count({ n: '*' }).first())!.n);
    const response = await request(app).post('/switch/freeswitch/cdr').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send(body);
    expect(response.status).toBe(400);
    expect(response.body.reason ?? response.body.error).toContain(reason);
    const rows = await db('rejected_cdrs').orderBy('id', 'desc').limit(1);
    expect(Number((await db('rejected_cdrs').count({ n: '*' }).first())!.n)).toBe(before + 1);
    expect(rows[0]).toMatchObject({ source: 'freeswitch', payload: body });
    expect(rows[0].reason).toContain(reason);
  });

  it('when an answered call reaches a number nobody holds, then it is rejected; an unanswered one is kept at no cost', async () => {
    const db = database.current.db;
    const answered = await postFreeswitchCdr(app, token, freeswitchCdr({ uuid: randomUUID(), number: '+19995550111', billsec: 30 }));
    expect(answered.status).toBe(400);
    expect(answered.body.reason).toContain('not a number of this platform');
    const unanswered = await postFreeswitchCdr(app, token, freeswitchCdr({ uuid: randomUUID(), number: '+19995550111', billsec: 0 }));
    expect(unanswered.body).toMatchObject({ status: 'stored', cost: '0.0000' });
    expect(await db('calls').where({ uuid: unanswered.body.uuid }).first()).toMatchObject({ owner_id: null, product_id: null });
  });
});

describe('MONEY_DECIMALS', () => {
  it('when amounts are rounded to 2 places, then a call is charged at 2 places, not the default 4', async () => {
    const db = database.current.db;
    const twoPlaces = createTestApp(db, { config: testConfig({ MONEY_DECIMALS: '2' }) });
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeOwnedDid(db, { owner: customer, connection_cost: '0.1234', grace_seconds: 0, cost_per_minute: '0.60', initial_increment: 60, increment: 60 });
    const uuid = randomUUID();
    // 0.1234 + 0.60 × 60/60 = 0.7234: 0.72 at 2 places (0.7234 at 4).
    const response = await postFreeswitchCdr(twoPlaces, token, freeswitchCdr({ uuid, number: did.number, billsec: 60 }));
    expect(response.body).toMatchObject({ status: 'stored', uuid, cost: '0.72' });
    const [entry] = await db('ledger_entries').where({ account_id: customer.id, kind: 'call_charge' });
    expect(entry.amount).toBe('-0.720000');
    expect(await balanceOf(customer.id)).toBe('9.2800');
  });
});

describe('plain JSON CDR batches (/api/v1/cdrs)', () => {
  it('when a batch mixes good, repeated and malformed records, then the good are charged, the repeats ignored and the malformed kept with 400', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeOwnedDid(db, { owner: customer });
    const good = { uuid: randomUUID(), destination: did.number, caller: '+15105550123', started_at: '2026-11-29T10:00:00Z', answered_at: '2026-11-29T10:00:05Z', ended_at: '2026-11-29T10:02:10Z', billsec: 125 };
    const response = await request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`)
      .send({ cdrs: [good, good, { uuid: 'x-1', destination: did.number, billsec: 5 }] });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ stored: 1, duplicates: 1, rejected: 1 });
    expect(response.body.results[2]).toMatchObject({ status: 'rejected', uuid: 'x-1', reason: 'started_at is missing or not a time' });
    expect(await balanceOf(customer.id)).toBe('8.7000');
    const replay = await request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`).send([good]);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ stored: 0, duplicates: 1, rejected: 0 });
    expect(await balanceOf(customer.id)).toBe('8.7000');
    const bad = await request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`).send({ records: [] });
    expect(bad.status).toBe(400);
    expect(await db('rejected_cdrs').where({ source: 'api' }).count({ n: '*' }).first().then((r) => Number(r!.n))).toBe(2);
  });

  it('when 1,000 calls go through a reseller chain, then every ledger reconciles: balance = sum(ledger) = start - sum(charges)', async () => {
    const db = database.current.db;
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '5000' });
    const customers = [
      await makeAccount(db, { role: 'customer', parent: reseller, balance: '2000' }),
      await makeAccount(db, { role: 'customer', parent: reseller, balance: '2000', billing_mode: 'postpaid', credit_limit: '100' }),
    ];
    const direct = await makeAccount(db, { role: 'customer', parent: admin, balance: '2000' });
    const dids = [
      await makeOwnedDid(db, { owner: customers[0]!, reseller, sell: { connection_cost: '0.013', grace_seconds: 3, cost_per_minute: '0.0125', initial_increment: 6, increment: 6 } }),
      await makeOwnedDid(db, { owner: customers[1]!, reseller, sell: { connection_cost: '0', grace_seconds: 0, cost_per_minute: '1.25', initial_increment: 0, increment: 0 } }),
      await makeOwnedDid(db, { owner: reseller }),
      await makeOwnedDid(db, { owner: direct }),
    ];
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const records = Array.from({ length: 1000 }, (_, i) => {
      const billsec = random() < 0.1 ? 0 : Math.floor(random() * 900);
      const start = 1_780_000_000 + i * 10;
      return {
        uuid: `chain-${i}-${randomUUID()}`, destination: dids[i % dids.length]!.number, caller: '+15105550123',
        started_at: start, answered_at: billsec > 0 ? start + 3 : null, ended_at: start + 3 + billsec, billsec,
      };
    });
    for (let i = 0; i < records.length; i += 250) {
      const response = await request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`).send(records.slice(i, i + 250));
      expect(response.status).toBe(200);
      expect(response.body.stored).toBe(250);
    }
    // Half the batch again: all duplicates, nothing moves.
    const replay = await request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`).send(records.slice(0, 500));
    expect(replay.body).toMatchObject({ stored: 0, duplicates: 500 });

    const starts = new Map([[reseller.id, '5000'], [customers[0]!.id, '2000'], [customers[1]!.id, '2000'], [direct.id, '2000']]);
    for (const [accountId, start] of starts) {
      const charged = (await db('call_charges').where({ account_id: accountId }).sum({ total: 'cost' }).first()) as { total: string | null };
      const balance = await balanceOf(accountId);
      expect(await ledgerSum(accountId)).toBe(balance);
      expect(new Money(start).minus(charged.total ?? '0').toFixed(4)).toBe(balance);
      // Each ledger row's balance_after is the running sum, in order.
      const entries = (await db('ledger_entries').where({ account_id: accountId }).orderBy('id').select('amount', 'balance_after')) as Array<{ amount: string; balance_after: string }>;
      let running = new Money(0);
      for (const entry of entries) {
        running = running.plus(entry.amount);
        expect(running.toFixed(6)).toBe(new Money(entry.balance_after).toFixed(6));
      }
    }
    // Every call to a customer's number charged the reseller too, and each ledger row matches its charge.
    const mismatched = await db('call_charges as cc').join('ledger_entries as le', 'le.id', 'cc.ledger_entry_id').whereRaw('le.amount <> -cc.cost').count({ n: '*' }).first();
    expect(Number(mismatched!.n)).toBe(0);
    const calls = Number((await db('calls').whereIn('uuid', records.map((r) => r.uuid)).count({ n: '*' }).first())!.n);
    expect(calls).toBe(1000);
  });
});

describe('malformed CDRs', () => {
  async function rejectedCount(): Promise<number> {
    return Number((await database.current.db('rejected_cdrs').count({ n: '*' }).first())!.n);
  }
  async function lastRejected() {
    return database.current.db('rejected_cdrs').orderBy('id', 'desc').first();
  }
  function postRaw(path: string, body: Buffer | string, type = 'application/json') {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    return request(app).post(path).set('Authorization', `Bearer ${token}`).set('Content-Type', type).serialize((data) => data).send(bytes as unknown as string);
  }

  it.each([
    ['a NUL byte in the caller (JSON escape)', (cdr: string) => cdr.replace('"caller_id_number":"%2B15105550123"', '"caller_id_number":"+1\\u0000"'), 'variables.caller_id_number holds a NUL byte'],
    ['a NUL byte in the hangup cause (percent-encoded)', (cdr: string) => cdr.replace('NORMAL_CLEARING', 'NORMAL%00CLEARING'), 'variables.hangup_cause holds a NUL byte'],
    ['a raw NUL byte in broken JSON', () => '{"variables":{"uuid":"a\u0000', 'not valid JSON'],
    ['JSON nested 5,000 deep', () => '{"a":'.repeat(5000) + '1' + '}'.repeat(5000), 'nests deeper than 64 levels'],
    ['a start time of 1e308', (cdr: string) => cdr.replace('"start_epoch":"1780000000"', '"start_epoch":1e308'), 'variables.start_epoch is missing or not a time'],
    ['a start time of 9007199254740993', (cdr: string) => cdr.replace('"start_epoch":"1780000000"', '"start_epoch":"9007199254740993"'), 'variables.start_epoch is missing or not a time'],
  ])('when a FreeSWITCH CDR has %s, then 400 with the reason and it is kept, NUL bytes escaped', async (_label, make, reason) => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeOwnedDid(db, { owner: customer });
    const body = make(JSON.stringify(freeswitchCdr({ uuid: randomUUID(), number: did.number, billsec: 30 })));
    const before = await rejectedCount();
    const response = await postRaw('/switch/freeswitch/cdr', body);
    expect(response.status).toBe(400);
    expect(response.body.reason ?? response.body.error).toContain(reason);
    expect(await rejectedCount()).toBe(before + 1);
    const row = await lastRejected();
    expect(row.reason).toContain(reason);
    expect(row.payload).not.toContain('\u0000');
    if (body.includes('\u0000')) expect(row.payload).toBe(body.replaceAll('\u0000', '\\u0000'));
    expect(await balanceOf(customer.id)).toBe('10.0000');
  });

  it('when a FreeSWITCH CDR comes as UTF-16, then 400 saying so, and it is kept readable', async () => {
    const cdr = JSON.stringify(freeswitchCdr({ uuid: randomUUID(), number: '+19995550111', billsec: 0 }));
    const response = await postRaw('/switch/freeswitch/cdr', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(cdr, 'utf16le')]));
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('The body is UTF-16: send UTF-8 JSON');
    const row = await lastRejected();
    expect(row).toMatchObject({ source: 'freeswitch', reason: 'The body is UTF-16: send UTF-8 JSON' });
    expect(row.payload).toContain('\\u0000v\\u0000a\\u0000r');
  });

  it('when a batch holds a good record and one started at 1e308, then the good one is stored and charged, the other kept as rejected with 400', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeOwnedDid(db, { owner: customer });
    const good = { uuid: randomUUID(), destination: did.number, caller: '+15105550123', started_at: '2026-11-29T10:00:00Z', answered_at: '2026-11-29T10:00:05Z', ended_at: '2026-11-29T10:02:10Z', billsec: 125 };
    const bad = { ...good, uuid: randomUUID(), started_at: 1e308 };
    const response = await postRaw('/api/v1/cdrs', JSON.stringify([good, bad]).replace('1e+308', '1e308'));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ stored: 1, rejected: 1 });
    expect(response.body.results[1]).toMatchObject({ status: 'rejected', uuid: bad.uuid, reason: 'started_at is missing or not a time' });
    expect(await balanceOf(customer.id)).toBe('8.7000');
    expect(await db('rejected_cdrs').where({ uuid: bad.uuid }).first()).toMatchObject({ source: 'api', reason: 'started_at is missing or not a time' });
  });

  it('when a batch holds records with times out of any range and NUL bytes, then each is rejected with its reason and the good one stored', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '10' });
    const did = await makeOwnedDid(db, { owner: customer });
    const record = (fields: Record<string, unknown>) => ({ uuid: randomUUID(), destination: did.number, caller: '+15105550123', started_at: 1_780_000_000, answered_at: 1_780_000_005, ended_at: 1_780_000_130, billsec: 125, ...fields });
    const records = [
      record({}),
      record({ started_at: 'BIG' }),
      record({ started_at: '0000-01-01T00:00:00Z' }),
      record({ ended_at: 99_999_999_999 }),
      record({ caller: 'a\u0000b' }),
      record({ destination: `${did.number}\u0000` }),
      record({ hangup_cause: '\u0000' }),
    ];
    const response = await postRaw('/api/v1/cdrs', JSON.stringify(records).replace('"BIG"', '9007199254740993'));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ stored: 1, rejected: 6 });
    expect(response.body.results.map((r: { reason?: string }) => r.reason)).toEqual([
      undefined,
      'started_at is missing or not a time',
      'started_at is missing or not a time',
      'the call lasted 98219999999 s, longer than any call (at most 1000000000 s)',
      'caller holds a NUL byte',
      'destination holds a NUL byte',
      'hangup_cause holds a NUL byte',
    ]);
    expect(await balanceOf(customer.id)).toBe('8.7000');
    const kept = await db('rejected_cdrs').whereIn('uuid', records.slice(1).map((r) => r.uuid)).select('payload');
    expect(kept).toHaveLength(6);
    for (const row of kept) expect(row.payload).not.toContain('\u0000');
  });

  it('when a batch is JSON nested 5,000 deep, then 400 and the body is kept as rejected', async () => {
    const before = await rejectedCount();
    const body = '['.repeat(5000) + ']'.repeat(5000);
    const response = await postRaw('/api/v1/cdrs', body);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('The body nests deeper than 64 levels');
    expect(await rejectedCount()).toBe(before + 1);
    expect(await lastRejected()).toMatchObject({ source: 'api', payload: body });
  });

  it('when a route request holds a NUL byte, then 400, not 500', async () => {
    const dialplan = await postDialplan(app, token, dialplanForm('+1415555\u00000100'));
    expect(dialplan.status).toBe(400);
    const authorize = await request(app).post('/api/v1/calls/authorize').set('Authorization', `Bearer ${token}`).send({ uuid: 'a', destination: '+1\u0000' });
    expect(authorize.status).toBe(400);
    expect(authorize.body.error).toContain('NUL character');
  });
});
