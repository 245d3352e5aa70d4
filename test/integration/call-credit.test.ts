// Credit reserved for calls in progress (issue 13, BILLING.md "Accounts and funds"): what a route
// request reserves, what a CDR settles, what expiry releases, and the funds everyone else sees.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { Decimal } from 'decimal.js';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { releaseCallSlots } from '../../src/db/repos/call-slots.ts';
import { releaseExpiredReservations } from '../../src/services/call-reservations.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { applyResellerPlan, assignPlanToDids } from '../../src/services/plan-numbers.ts';
import { formatDurationHtml, formatPhoneHtml } from '../../src/web/presenters/format.ts';
import { createPlan } from '../helpers/rate-plans.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeOwnedDid, makeSwitch } from '../helpers/factories.ts';
import { loginAs } from '../helpers/login.ts';
import { dialplanForm, postDialplan, routeOf } from '../helpers/switch.ts';

const database = useTestDatabase();
let app: Express;
let token: string;
let admin: AccountRow;
let clock = new Date('2026-11-29T12:00:00Z');
const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

beforeAll(async () => {
  const db = database.current.db;
  app = createTestApp(db, { now: () => clock });
  admin = await makeAccount(db, { role: 'admin' });
  token = (await makeSwitch(db, { admin })).token;
});

function authorize(number: string, uuid = randomUUID()) {
  return request(app).post('/api/v1/calls/authorize').set('Authorization', `Bearer ${token}`).send({ uuid, destination: number, caller: '+15105550123' });
}

function postCdr(uuid: string, number: string, billsec: number) {
  const start = epoch(clock);
  return request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`)
    .send([{ uuid, destination: number, caller: '+15105550123', started_at: start, answered_at: start + 2, ended_at: start + 2 + billsec, billsec }]);
}

async function reservedOf(accountId: number): Promise<string> {
  const row = (await database.current.db('account_reservations').where({ account_id: accountId }).first()) as { reserved: string } | undefined;
  return row?.reserved ?? '0.000000';
}

async function balanceOf(accountId: number): Promise<string> {
  return ((await database.current.db('accounts').where({ id: accountId }).first('balance')) as { balance: string }).balance;
}

describe('reservations', () => {
  it('when a call is authorised, then the JSON and dialplan answers carry the amount reserved at each level, and the next call is offered only what is left', async () => {
    const db = database.current.db;
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '10' });
    // Sell terms C 0.20, G 0, R 1.20, I 60, N 60 (the customer); product terms C 0.10, G 10, R 0.60, I 60, N 6 (the reseller).
    const did = await makeOwnedDid(db, { owner: customer, reseller, concurrent_calls: 0 });
    const first = await authorize(did.number);
    // 10.00 at the sell terms: 0.20 + 1.20 a minute for 8 whole minutes = 9.80; the reseller pays
    // 480 s at its terms: 0.10 + 0.60 x 474 / 60 = 4.84.
    expect(first.body).toMatchObject({ decision: 'accept', max_seconds: 480, reserved: '9.8000', reseller_reserved: '4.8400' });
    expect(await reservedOf(customer.id)).toBe('9.800000');
    expect(await reservedOf(reseller.id)).toBe('4.840000');
    // 0.20 left: not enough to start another call at the sell terms.
    const second = await postDialplan(app, token, dialplanForm(did.number));
    expect(routeOf(second.text)).toMatchObject({ refusal: 'insufficient_funds', hangup: 'OUTGOING_CALL_BARRED' });
    const json = await authorize(did.number);
    expect(json.body).toMatchObject({ decision: 'refuse', reason: 'insufficient_funds' });
    expect(json.body.message).toContain('available funds 0.2000 (after calls in progress)');
    // Refused calls keep nothing.
    expect(await reservedOf(customer.id)).toBe('9.800000');
    expect(Number((await db('call_slots').where({ account_id: customer.id }).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('when a call is routed through the dialplan, then the document sets didhub_reserved', async () => {
    const customer = await makeAccount(database.current.db, { role: 'customer', parent: admin, balance: '20' });
    const did = await makeOwnedDid(database.current.db, { owner: customer, concurrent_calls: 0 });
    const route = routeOf((await postDialplan(app, token, dialplanForm(did.number))).text);
    // 1,996 s at C 0.10, G 10, R 0.60, I 60, N 6: 0.10 + 0.60 x 1986 / 60 = 19.96.
    expect(route).toMatchObject({ maxSeconds: 1996, reserved: '19.9600' });
  });

  it('when the CDR arrives, then it charges the rated cost and releases the reservation in one go; a replay neither charges nor releases again', async () => {
    const db = database.current.db;
    // Funds for two longest calls (7,200 s: 144.20 at the sell terms, 72.04 at the product's).
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '200' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '300' });
    const did = await makeOwnedDid(db, { owner: customer, reseller, concurrent_calls: 0 });
    const uuid = randomUUID();
    const accepted = await authorize(did.number, uuid);
    expect(accepted.body.decision).toBe('accept');
    const other = await authorize(did.number);
    const heldByOther = { customer: await reservedOf(customer.id), reseller: await reservedOf(reseller.id) };
    expect(heldByOther.customer).not.toBe('0.000000');

    expect((await postCdr(uuid, did.number, 125)).status).toBe(200);
    // The other call's reservation stays; this call's is gone.
    expect(await reservedOf(customer.id)).toBe(Number(other.body.reserved).toFixed(6));
    expect(await reservedOf(reseller.id)).toBe(Number(other.body.reseller_reserved).toFixed(6));
    // 125 s at the sell terms: 0.20 + 1.20 x 180 / 60 = 3.80; the reseller: 0.10 + 0.60 x 120 / 60 = 1.30.
    expect(await balanceOf(customer.id)).toBe('296.200000');
    expect(await balanceOf(reseller.id)).toBe('198.700000');
    const charges = (await db('call_charges as cc').join('calls as c', 'c.id', 'cc.call_id').where('c.uuid', uuid).orderBy('cc.level')
      .select('cc.cost', 'cc.reserved')) as Array<{ cost: string; reserved: string }>;
    expect(charges).toEqual([
      { cost: '3.800000', reserved: Number(accepted.body.reserved).toFixed(6) },
      { cost: '1.300000', reserved: Number(accepted.body.reseller_reserved).toFixed(6) },
    ]);

    const replay = await postCdr(uuid, did.number, 125);
    expect(replay.body).toMatchObject({ stored: 0, duplicates: 1 });
    expect(await balanceOf(customer.id)).toBe('296.200000');
    expect(await reservedOf(customer.id)).toBe(Number(other.body.reserved).toFixed(6));
    expect(await reservedOf(reseller.id)).toBe(Number(other.body.reseller_reserved).toFixed(6));
  });

  it("when the call's page is opened, then it shows what was reserved beside what was charged", async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '30' });
    const did = await makeOwnedDid(db, { owner: customer, concurrent_calls: 0 });
    const uuid = randomUUID();
    await authorize(did.number, uuid);
    await postCdr(uuid, did.number, 71);
    const call = (await db('calls').where({ uuid }).first('id')) as { id: number };
    const agent = await loginAs(app, customer.email);
    const page = await agent.get(`/customer/calls/${call.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-field="reserved">[^<]*29\.9[0-9][^<]*released when charged/);
    expect(page.text).toContain('0.76');
  });

  it('when a reservation outlives ring time + allowance + margin, then it stops counting at once, and expiry releases and lists it', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '5' });
    const did = await makeOwnedDid(db, { owner: customer, concurrent_calls: 0, call_timeout: 30 });
    const uuid = randomUUID();
    const accepted = await authorize(did.number, uuid);
    expect(accepted.body).toMatchObject({ decision: 'accept', max_seconds: 496, reserved: '4.9600' });
    expect((await authorize(did.number)).body.reason).toBe('insufficient_funds');

    const saved = clock;
    clock = new Date(saved.getTime() + (30 + 496 + 300) * 1000);
    try {
      // Expired but not yet released: it no longer counts.
      expect((await authorize(did.number)).body).toMatchObject({ decision: 'accept', reserved: '4.9600' });
      clock = new Date(clock.getTime() + (30 + 496 + 300) * 1000);
      expect(await releaseExpiredReservations(db, clock)).toBeGreaterThanOrEqual(2);
      expect(await reservedOf(customer.id)).toBe('0.000000');
      expect(Number((await db('call_slots').where({ account_id: customer.id }).count({ n: '*' }).first())!.n)).toBe(0);
      const listed = await db('expired_call_reservations').where({ call_uuid: uuid }).first();
      expect(listed).toMatchObject({ owner_reserved: '4.960000', allowed_seconds: 496 });
      expect(Number(listed.account_id)).toBe(customer.id);

      const adminAgent = await loginAs(app, admin.email);
      const list = await adminAgent.get('/admin/expired-reservations');
      expect(list.status).toBe(200);
      expect(list.text).toContain(`data-expired="${uuid}"`);
      const dashboard = await adminAgent.get('/admin');
      expect(dashboard.text).toMatch(/data-stat="expired-reservations"><a[^>]*>[1-9]/);

      // Its CDR arriving late is charged as a call never authorised: 100 s = 0.10 + 0.60 x 90 / 60.
      expect((await postCdr(uuid, did.number, 100)).status).toBe(200);
      expect(await balanceOf(customer.id)).toBe('4.000000');
      expect(await reservedOf(customer.id)).toBe('0.000000');
    } finally {
      clock = saved;
    }
  });

  it('when money is reserved for a call in progress, then the dashboard and Transactions show it and a purchase cannot spend it', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '12' });
    const did = await makeOwnedDid(db, { owner: customer, concurrent_calls: 0 });
    const accepted = await authorize(did.number);
    // 1,198 s: 0.10 + 0.60 x 1188 / 60 = 11.98.
    expect(accepted.body).toMatchObject({ max_seconds: 1198, reserved: '11.9800' });
    const agent = await loginAs(app, customer.email);
    const dashboard = await agent.get('/customer');
    expect(dashboard.text).toMatch(/data-stat="reserved-for-calls">[^<]*11\.98/);
    expect(dashboard.text).toMatch(/data-stat="available-funds">[^<]*0\.02/);
    const transactions = await agent.get('/customer/transactions');
    expect(transactions.text).toMatch(/data-stat="reserved-for-calls">[^<]*11\.98/);

    const forSale = await makeDid(db, { setup_fee: '0', monthly_fee: '1.00' });
    await expect(purchaseDid(db, { pricing: { markupPercent: '25', decimals: 4 }, buyerId: customer.id, productId: forSale.id, idempotencyKey: randomUUID(), now: clock, actorId: customer.id }))
      .rejects.toThrow('Available funds 0.0200 do not cover 1.0000');
    expect(await balanceOf(customer.id)).toBe('12.000000');
  });

  it("when the number is on the admin's plan and the reseller's markup plan, then each level reserves at the terms in force, and a CDR at the full allowance charges exactly the reservation", async () => {
    const db = database.current.db;
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '1000' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '7' });
    const did = await makeOwnedDid(db, { owner: customer, reseller, concurrent_calls: 0 });
    const change = (actor: AccountRow) => ({ actorId: actor.id, now: new Date(clock.getTime() - 86_400_000) });
    const own = await createPlan(db, null, { name: `Plan ${did.number}`, connection_cost: '0.05', grace_seconds: '0', cost_per_minute: '0.90', initial_increment: '30', increment: '6' }, change(admin));
    await assignPlanToDids(db, own.plan.id, { ids: [did.id] }, change(admin));
    const resale = await createPlan(db, reseller.id, {
      kind: 'markup', name: `Resale ${did.number}`, connection_markup_percent: '10', connection_markup_amount: '0.0001',
      per_minute_markup_percent: '12.5', per_minute_markup_amount: '0.001',
    }, change(reseller));
    await applyResellerPlan(db, reseller.id, resale.plan.id, [did.id], change(reseller));
    // The copies of the terms on the number are refreshed only by the billing job: the route
    // request reads the plan versions in force itself, as the rater does.
    await db('products').where({ id: did.id }).update({ connection_cost: '0', cost_per_minute: '0' });
    await db('reseller_prices').where({ product_id: did.id }).update({ connection_cost: '0', cost_per_minute: '0' });

    const uuid = randomUUID();
    const accepted = await authorize(did.number, uuid);
    // Sell terms: 0.05 x 1.1 + 0.0001 = 0.0551 and 0.90 x 1.125 + 0.001 = 1.013501 a minute, I 30, N 6:
    // 408 s cost 0.0551 + 1.013501 x 408 / 60 = 6.9469, the next increment 7.0483.
    expect(accepted.body).toMatchObject({ decision: 'accept', max_seconds: 408, reserved: '6.9469' });
    await postCdr(uuid, did.number, accepted.body.max_seconds as number);
    const charges = (await db('call_charges as cc').join('calls as c', 'c.id', 'cc.call_id').where('c.uuid', uuid).orderBy('cc.level')
      .select('cc.cost', 'cc.reserved')) as Array<{ cost: string; reserved: string }>;
    expect(charges.map((c) => c.reserved)).toEqual([Number(accepted.body.reserved).toFixed(6), Number(accepted.body.reseller_reserved).toFixed(6)]);
    expect(charges.map((c) => c.cost)).toEqual(charges.map((c) => c.reserved));
    expect(await balanceOf(customer.id)).toBe(new Decimal('7').minus(accepted.body.reserved as string).toFixed(6));
  });

  it('when a call is given back after its slot was taken, then its reservations go at every level, the totals always equal the slots, and nothing is listed as expired', async () => {
    const db = database.current.db;
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '500' });
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '500' });
    const did = await makeOwnedDid(db, { owner: customer, reseller, concurrent_calls: 0 });
    const uuids = [randomUUID(), randomUUID(), randomUUID()];
    for (const uuid of uuids) expect((await authorize(did.number, uuid)).body.decision).toBe('accept');
    const totalsEqualSlots = async () => {
      for (const [account, column, amount] of [[customer, 'account_id', 'owner_reserved'], [reseller, 'reseller_id', 'reseller_reserved']] as const) {
        const slots = (await db('call_slots').where(column, account.id).sum({ total: amount }).first()) as { total: string | null };
        expect(await reservedOf(account.id)).toBe(new Decimal(slots.total ?? 0).toFixed(6));
      }
    };
    await totalsEqualSlots();
    expect(await releaseCallSlots(db, [uuids[1]!], clock)).toBe(1);
    expect(await releaseCallSlots(db, [uuids[1]!], clock)).toBe(0);
    await totalsEqualSlots();
    expect((await db('call_slots').whereIn('call_uuid', uuids).pluck('call_uuid')).sort()).toEqual([uuids[0], uuids[2]].sort());
    expect(await db('expired_call_reservations').where({ call_uuid: uuids[1] }).first()).toBeUndefined();
  });

  it('when the admin opens Expired reservations, then the number is grouped and the allowance is a duration, as on every other page', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin });
    const did = await makeOwnedDid(db, { owner: customer });
    const uuid = randomUUID();
    await db('expired_call_reservations').insert({
      call_uuid: uuid, product_id: did.id, account_id: customer.id, allowed_seconds: 496, owner_reserved: '4.96', reseller_reserved: '0',
      created_at: clock, expires_at: clock, released_at: clock,
    });
    const page = await (await loginAs(app, admin.email)).get('/admin/expired-reservations');
    const row = new RegExp(`data-expired="${uuid}">[\\s\\S]*?</tr>`).exec(page.text)![0];
    expect(row).toContain(formatPhoneHtml(did.number));
    expect(row).not.toContain(`>${did.number}<`);
    expect(row).toContain(formatDurationHtml(496));
  });
});
