import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { findHoldingsTakingSlots } from '../../src/db/repos/call-holdings.ts';
import { maxDuration } from '../../src/domain/rating.ts';
import { createTestApp, testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeOwnedDid, makeSwitch, uniqueUsNumber } from '../helpers/factories.ts';
import { loginAs } from '../helpers/login.ts';
import { dialplanForm, postDialplan, routeOf } from '../helpers/switch.ts';

const database = useTestDatabase();
let app: Express;
let token: string;
let admin: AccountRow;
let reseller: AccountRow;
let direct: AccountRow;
let resellersCustomer: AccountRow;
let clock = new Date('2026-11-29T12:00:00Z');

// The product terms of makeDid: C 0.10, G 10, R 0.60, I 60, N 6.
const PRODUCT_TERMS = { connectionCost: '0.10', graceSeconds: 10, perMinute: '0.60', initialIncrement: 60, increment: 6 };
// Terms under which the funds of these accounts allow several longest calls at once.
const CHEAP = { connection_cost: '0', cost_per_minute: '0.0001' };

beforeAll(async () => {
  const db = database.current.db;
  app = createTestApp(db, { now: () => clock });
  admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
  direct = await makeAccount(db, { role: 'customer', parent: admin, balance: '20' });
  resellersCustomer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '5' });
  token = (await makeSwitch(db, { admin })).token;
});

// Each test starts with no call in progress: the calls routed by a test (no CDR follows) would
// otherwise keep the accounts' credit reserved for the next.
beforeEach(async () => {
  await database.current.db.raw('DELETE FROM call_slots');
  await database.current.db.raw('DELETE FROM account_reservations');
});

describe('route request (mod_xml_curl dialplan)', () => {
  it('when a direct customer owns an active number with funds, then the call is bridged with ring timeout and a hang-up at the funded maximum', async () => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, call_timeout: 25, concurrent_calls: 0 });
    const response = await postDialplan(app, token, dialplanForm(did.number));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/xml/);
    expect(response.text).toContain('<document type="freeswitch/xml">');
    expect(response.text).toContain('<section name="dialplan"');
    expect(response.text).toContain('<context name="public">');
    expect(response.text).toContain(`expression="^\\${did.number}$"`);
    const route = routeOf(response.text);
    expect(route.bridge).toBe('sofia/external/office@pbx.example.com');
    expect(route.callTimeout).toBe(25);
    const expected = maxDuration(PRODUCT_TERMS, '20', 7200, 4);
    expect(expected.allowed && route.maxSeconds).toBe(expected.allowed ? expected.seconds : -1);
    // 20.00 buys 0.10 + 0.60/min: (19.90 / 0.60) minutes, after the 10 s of grace.
    expect(route.maxSeconds).toBe(1996);
    expect(response.text).toContain('execute_on_answer=sched_hangup +1996 ALLOTTED_TIMEOUT');
    expect(route.hangup).toBeUndefined();
  });

  it('when the number is dialled without its plus or with 00, then it is still found', async () => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, concurrent_calls: 0, ...CHEAP });
    for (const dialled of [did.number.slice(1), `00${did.number.slice(1)}`]) {
      const response = await postDialplan(app, token, dialplanForm(dialled));
      expect(routeOf(response.text).bridge).toBe('sofia/external/office@pbx.example.com');
      expect(response.text).toContain(`expression="^${dialled}$"`);
    }
  });

  it('when the funds allow more than MAX_CALL_SECONDS, then the setting caps the call', async () => {
    const rich = await makeAccount(database.current.db, { role: 'customer', parent: admin, balance: '100000' });
    const did = await makeOwnedDid(database.current.db, { owner: rich });
    const capped = createTestApp(database.current.db, { config: testConfig({ MAX_CALL_SECONDS: '600' }), now: () => clock });
    expect(routeOf((await postDialplan(capped, token, dialplanForm(did.number))).text).maxSeconds).toBe(600);
    expect(routeOf((await postDialplan(app, token, dialplanForm(did.number))).text).maxSeconds).toBe(7200);
  });

  it.each([
    ['pstn', '+14155559876', 'sofia/gateway/pstn/+14155559876'],
    ['extension', '2001', 'user/2001@${domain_name}'],
    ['sip_uri', 'sips:desk@pbx.example.com:5061', 'sofia/external/desk@pbx.example.com:5061'],
  ])('when the destination is a %s, then the bridge string comes from its template', async (type, destination, bridge) => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, destination_type: type, destination });
    expect(routeOf((await postDialplan(app, token, dialplanForm(did.number))).text).bridge).toBe(bridge);
  });

  it('when the templates are set, then the bridge follows the settings', async () => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, destination_type: 'pstn', destination: '+14155559876' });
    const configured = createTestApp(database.current.db, {
      config: testConfig({ BRIDGE_PSTN: 'sofia/gateway/{gateway}/00{destination}', PSTN_GATEWAY: 'carrier-b' }), now: () => clock,
    });
    expect(routeOf((await postDialplan(configured, token, dialplanForm(did.number))).text).bridge).toBe('sofia/gateway/carrier-b/00+14155559876');
  });

  it('when a customer of a reseller is called, then the shorter allowance of the two levels applies', async () => {
    // The customer has 5.00 at the reseller's sell terms (0.20 + 1.20/min, 60 s blocks): 0.20 + 4 × 1.20
    // is exactly 5.00, so 4 minutes; the reseller's 100.00 at 0.60/min would allow the 7,200 s cap.
    const did = await makeOwnedDid(database.current.db, { owner: resellersCustomer, reseller });
    const route = routeOf((await postDialplan(app, token, dialplanForm(did.number))).text);
    const customerMax = maxDuration({ connectionCost: '0.20', graceSeconds: 0, perMinute: '1.20', initialIncrement: 60, increment: 60 }, '5', 7200, 4);
    expect(customerMax.allowed && customerMax.seconds).toBe(240);
    expect(route.maxSeconds).toBe(240);
  });

  it('when a stored destination is valid but not in normal form, then the bridge uses its normal form', async () => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, destination_type: 'sip_uri', destination: ' SIP:Desk@PBX.Example.com ' });
    expect(routeOf((await postDialplan(app, token, dialplanForm(did.number))).text).bridge).toBe('sofia/external/Desk@pbx.example.com');
  });

  it('when the value has characters special to XML, then the document escapes them', async () => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, destination: 'sip:a&b@pbx.example.com' });
    const response = await postDialplan(app, token, dialplanForm(did.number));
    expect(response.text).toContain('data="sofia/external/a&amp;b@pbx.example.com"');
    expect(response.text).not.toContain('a&b');
  });

  it('when the lookup is for another section, then the answer is "not found"', async () => {
    const response = await postDialplan(app, token, { ...dialplanForm('+14155550100'), section: 'directory' });
    expect(response.status).toBe(200);
    expect(response.text).toContain('<section name="result">');
    expect(response.text).toContain('<result status="not found"/>');
  });
});

describe('refusals', () => {
  async function refusalFor(number: string) {
    const response = await postDialplan(app, token, dialplanForm(number));
    expect(response.status).toBe(200);
    expect(response.text).toContain('<document type="freeswitch/xml">');
    return routeOf(response.text);
  }

  it('when the number is unknown, then UNALLOCATED_NUMBER', async () => {
    expect(await refusalFor('+19995550123')).toMatchObject({ refusal: 'unknown_number', hangup: 'UNALLOCATED_NUMBER', bridge: undefined });
    expect(await refusalFor('not-a-number')).toMatchObject({ refusal: 'unknown_number', hangup: 'UNALLOCATED_NUMBER' });
  });

  it('when the caller dials ${...}, then the refusal logs it without anything FreeSWITCH would expand', async () => {
    const response = await postDialplan(app, token, dialplanForm('${system(id)}'));
    expect(routeOf(response.text)).toMatchObject({ refusal: 'unknown_number' });
    expect(/application="log" data="([^"]*)"/.exec(response.text)?.[1]).toContain('?{system(id)}');
  });

  it('when the number is inactive or archived, then NO_ROUTE_DESTINATION', async () => {
    const inactive = await makeOwnedDid(database.current.db, { owner: direct, status: 'inactive' });
    const archived = await makeOwnedDid(database.current.db, { owner: direct, archived_at: new Date() });
    for (const did of [inactive, archived]) {
      expect(await refusalFor(did.number)).toMatchObject({ refusal: 'inactive', hangup: 'NO_ROUTE_DESTINATION' });
    }
  });

  it('when the number is in stock or its owner has no live subscription, then it is not assigned', async () => {
    const stock = await makeDid(database.current.db, { destination_type: 'sip_uri', destination: 'sip:x@pbx.example.com' });
    const ended = await makeOwnedDid(database.current.db, { owner: direct, subscription: 'ended' });
    for (const did of [stock, ended]) {
      expect(await refusalFor(did.number)).toMatchObject({ refusal: 'not_assigned', hangup: 'UNALLOCATED_NUMBER' });
    }
  });

  it('when a subscription in the chain or an account is suspended, then CALL_REJECTED', async () => {
    const db = database.current.db;
    const owned = await makeOwnedDid(db, { owner: direct, subscription: 'suspended' });
    const resellerSuspended = await makeOwnedDid(db, { owner: resellersCustomer, reseller, resellerSubscription: 'suspended' });
    const suspendedAccount = await makeAccount(db, { role: 'customer', parent: admin, balance: '10', status: 'suspended' });
    const ofSuspended = await makeOwnedDid(db, { owner: suspendedAccount });
    for (const did of [owned, resellerSuspended, ofSuspended]) {
      expect(await refusalFor(did.number)).toMatchObject({ refusal: 'suspended', hangup: 'CALL_REJECTED' });
    }
  });

  it('when the number has no destination, then NO_ROUTE_DESTINATION', async () => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, destination_type: null, destination: null });
    expect(await refusalFor(did.number)).toMatchObject({ refusal: 'no_destination', hangup: 'NO_ROUTE_DESTINATION' });
  });

  // Rows saved under the old, looser grammar (or written around the app) are never bridged.
  it.each([
    ['sip_uri', 'sip:a,loopback/9999/default/XML,b@example.com'],
    ['sip_uri', 'sip:${sofia_contact(1000@default)}@example.com'],
    ['sip_uri', 'sip:{x=1}a@example.com'],
    ['sip_uri', 'sip:a@example.com\nuser/1000'],
    ['pstn', '+14155552671|user/1000'],
    ['extension', '2001,loopback/9999'],
    ['pstn', '+99912345678'],
  ])('when the stored %s destination %j no longer validates, then no_destination in XML and JSON, and nothing of it is bridged', async (type, destination) => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, destination_type: type, destination });
    const xml = await postDialplan(app, token, dialplanForm(did.number));
    expect(routeOf(xml.text)).toMatchObject({ refusal: 'no_destination', hangup: 'NO_ROUTE_DESTINATION', bridge: undefined });
    expect(xml.text).not.toContain('application="bridge"');
    expect(xml.text).not.toContain('loopback');
    expect(xml.text).not.toContain('sofia_contact');
    const json = await request(app).post('/api/v1/calls/authorize').set('Authorization', `Bearer ${token}`).send({ uuid: randomUUID(), destination: did.number });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ decision: 'refuse', reason: 'no_destination', cause: 'NO_ROUTE_DESTINATION', sip_code: 404 });
    expect(json.body).not.toHaveProperty('bridge');
    expect(JSON.stringify(json.body)).not.toContain('loopback');
  });

  it('when a refused call had taken a concurrency slot for an invalid destination, then the slot is given back', async () => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, concurrent_calls: 1, destination: 'sip:a,b@example.com' });
    expect((await refusalFor(did.number)).refusal).toBe('no_destination');
    expect(await database.current.db('call_slots').where({ product_id: did.id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('when the owner, or the reseller above it, cannot pay the first block, then OUTGOING_CALL_BARRED', async () => {
    const db = database.current.db;
    const poor = await makeAccount(db, { role: 'customer', parent: admin, balance: '0.69' });
    const poorDid = await makeOwnedDid(db, { owner: poor });
    expect(await refusalFor(poorDid.number)).toMatchObject({ refusal: 'insufficient_funds', hangup: 'OUTGOING_CALL_BARRED' });
    // 0.70 pays C + the initial 60 s block exactly: accepted.
    const justEnough = await makeAccount(db, { role: 'customer', parent: admin, balance: '0.70' });
    const okDid = await makeOwnedDid(db, { owner: justEnough });
    expect((await refusalFor(okDid.number)).maxSeconds).toBe(70);

    const brokeReseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '0' });
    const itsCustomer = await makeAccount(db, { role: 'customer', parent: brokeReseller, balance: '50' });
    const chained = await makeOwnedDid(db, { owner: itsCustomer, reseller: brokeReseller });
    expect(await refusalFor(chained.number)).toMatchObject({ refusal: 'insufficient_funds', hangup: 'OUTGOING_CALL_BARRED' });
  });

  it('when a postpaid account has credit left, then its credit limit counts as funds', async () => {
    const postpaid = await makeAccount(database.current.db, { role: 'customer', parent: admin, billing_mode: 'postpaid', credit_limit: '10' });
    const did = await makeOwnedDid(database.current.db, { owner: postpaid });
    expect((await refusalFor(did.number)).bridge).toBeDefined();
  });

  it("when the number's Concurrent Calls are in use, then USER_BUSY; a retried lookup of the same call does not take a second slot", async () => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, concurrent_calls: 1, ...CHEAP });
    const first = randomUUID();
    expect(routeOf((await postDialplan(app, token, dialplanForm(did.number, first))).text).bridge).toBeDefined();
    expect(routeOf((await postDialplan(app, token, dialplanForm(did.number, first))).text).bridge).toBeDefined();
    expect(await refusalFor(did.number)).toMatchObject({ refusal: 'limit_reached', hangup: 'USER_BUSY' });
  });

  it("when the account's maximum concurrent calls are in use, then NORMAL_CIRCUIT_CONGESTION", async () => {
    const limited = await makeAccount(database.current.db, { role: 'customer', parent: admin, balance: '50', max_concurrent_calls: 1 });
    const a = await makeOwnedDid(database.current.db, { owner: limited, concurrent_calls: 0, ...CHEAP });
    const b = await makeOwnedDid(database.current.db, { owner: limited, concurrent_calls: 0, ...CHEAP });
    expect((await refusalFor(a.number)).bridge).toBeDefined();
    expect(await refusalFor(b.number)).toMatchObject({ refusal: 'limit_reached', hangup: 'NORMAL_CIRCUIT_CONGESTION' });
  });

  it("when the reseller's maximum is in use by another customer's call, then the call is refused", async () => {
    const db = database.current.db;
    const limitedReseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100', max_concurrent_calls: 1 });
    const one = await makeAccount(db, { role: 'customer', parent: limitedReseller, balance: '50' });
    const two = await makeAccount(db, { role: 'customer', parent: limitedReseller, balance: '50' });
    const a = await makeOwnedDid(db, { owner: one, reseller: limitedReseller, concurrent_calls: 0 });
    const b = await makeOwnedDid(db, { owner: two, reseller: limitedReseller, concurrent_calls: 0 });
    expect((await refusalFor(a.number)).bridge).toBeDefined();
    expect(await refusalFor(b.number)).toMatchObject({ refusal: 'limit_reached', hangup: 'NORMAL_CIRCUIT_CONGESTION' });
  });

  it('when a call is refused for its funds or a suspended account, then it keeps no slot and the limit stays free', async () => {
    const db = database.current.db;
    const poor = await makeAccount(db, { role: 'customer', parent: admin, balance: '0.10' });
    const did = await makeOwnedDid(db, { owner: poor, concurrent_calls: 1 });
    const uuid = randomUUID();
    const refused = routeOf((await postDialplan(app, token, dialplanForm(did.number, uuid))).text);
    expect(refused.refusal).toBe('insufficient_funds');
    expect(await db('call_slots').where({ product_id: did.id })).toEqual([]);
    await db('accounts').where({ id: poor.id }).update({ status: 'suspended' });
    expect((await refusalFor(did.number)).refusal).toBe('suspended');
    expect(await db('call_slots').where({ product_id: did.id })).toEqual([]);
  });

  it('when the funds allow less than the longest call, then the slot expires after ring time, the allowance and the margin', async () => {
    const db = database.current.db;
    const did = await makeOwnedDid(db, { owner: direct, call_timeout: 25, concurrent_calls: 1 });
    const uuid = randomUUID();
    expect(routeOf((await postDialplan(app, token, dialplanForm(did.number, uuid))).text).maxSeconds).toBe(1996);
    const slot = (await db('call_slots').where({ call_uuid: uuid }).first()) as { expires_at: Date; product_id: number };
    expect(Number(slot.product_id)).toBe(did.id);
    expect(new Date(slot.expires_at).getTime()).toBe(clock.getTime() + (25 + 1996 + 300) * 1000);
  });

  it('when several calls share one batch, then they are served in order: the first takes the slot, its repeat is held, the next is over the limit, an unknown number is missing', async () => {
    const db = database.current.db;
    // Cheap enough that the funds allow every call the longest allowance: only the limit refuses.
    const did = await makeOwnedDid(db, { owner: direct, concurrent_calls: 1, connection_cost: '0', cost_per_minute: '0.0001' });
    const call = (number: string, uuid: string) => ({ number, uuid, switchId: null, now: clock, capSeconds: 7200, marginSeconds: 300, decimals: 4 });
    const found = await findHoldingsTakingSlots(db, [
      call(did.number, 'batch-a'), call(did.number, 'batch-a'), call('+19995550100', 'batch-x'), call(did.number, 'batch-b'),
    ]);
    // 7,200 s at 0.0001 a minute (I 60, N 6, G 10): 0.0120 reserved, returned again for the repeat.
    expect(found.map((f) => f && { number: f.holding.number, ...f.slot })).toEqual([
      { number: did.number, did: 0, owner: 0, reseller: 0, held: false, taken: true, allowedSeconds: 7200, ownerReserved: '0.012000', resellerReserved: '0.000000', short: null },
      { number: did.number, did: 0, owner: 0, reseller: 0, held: true, taken: false, allowedSeconds: 7200, ownerReserved: '0.012000', resellerReserved: '0.000000', short: null },
      undefined,
      { number: did.number, did: 1, owner: 0, reseller: 0, held: false, taken: false, allowedSeconds: 7200, ownerReserved: '0.000000', resellerReserved: '0.000000', short: null },
    ]);
    expect((await db('call_slots').where({ product_id: did.id })).map((slot: { call_uuid: string }) => slot.call_uuid)).toEqual(['batch-a']);
  });

  it('when a slot outlives its maximum duration plus the margin, then it no longer counts', async () => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, concurrent_calls: 1, ...CHEAP });
    expect((await refusalFor(did.number)).bridge).toBeDefined();
    expect((await refusalFor(did.number)).refusal).toBe('limit_reached');
    const saved = clock;
    clock = new Date(saved.getTime() + (30 + 7200 + 300 + 1) * 1000);
    try {
      expect((await refusalFor(did.number)).bridge).toBeDefined();
    } finally {
      clock = saved;
    }
  });
});

describe('JSON authorisation for other switches', () => {
  it('when a switch asks /api/v1/calls/authorize, then it gets the same decision as JSON', async () => {
    const did = await makeOwnedDid(database.current.db, { owner: direct, call_timeout: 20, concurrent_calls: 3 });
    const accepted = await request(app).post('/api/v1/calls/authorize').set('Authorization', `Bearer ${token}`)
      .send({ uuid: randomUUID(), destination: did.number, caller: '+15105550123' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      decision: 'accept', number: did.number, destination_type: 'sip_uri', destination: 'sip:office@pbx.example.com',
      bridge: 'sofia/external/office@pbx.example.com', call_timeout: 20, max_seconds: 1996, limits: { did: 3, account: 0 },
    });
    const refused = await request(app).post('/api/v1/calls/authorize').set('Authorization', `Bearer ${token}`)
      .send({ uuid: randomUUID(), destination: '+19995550199' });
    expect(refused.body).toMatchObject({ decision: 'refuse', reason: 'unknown_number', cause: 'UNALLOCATED_NUMBER', sip_code: 404 });
    const invalid = await request(app).post('/api/v1/calls/authorize').set('Authorization', `Bearer ${token}`).send({ caller: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.fields).toHaveProperty('uuid');
    expect(invalid.body.fields).toHaveProperty('destination');
  });
});

describe('switch access', () => {
  it('when a request has no token or a wrong one, then 401', async () => {
    const form = dialplanForm(uniqueUsNumber());
    expect((await request(app).post('/switch/freeswitch/dialplan').type('form').send(form)).status).toBe(401);
    expect((await postDialplan(app, 'dh_wrong', form)).status).toBe(401);
    expect((await request(app).post('/api/v1/cdrs').send([])).status).toBe(401);
  });

  it('when a switch route fails, then the app\'s one error handler answers in JSON (401 with a challenge, 400 with the fields)', async () => {
    const unauthorized = await postDialplan(app, 'dh_wrong', dialplanForm(uniqueUsNumber()));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['www-authenticate']).toContain('Bearer realm="didhub switches"');
    expect(unauthorized.body).toMatchObject({ error: 'This switch token is not valid' });
    const invalid = await request(app).post('/api/v1/calls/authorize').set('Authorization', `Bearer ${token}`).send({ caller: '+15105550123' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({
      error: 'Invalid request',
      fields: { uuid: 'The call id (uuid) is required', destination: 'The dialled number (destination) is required' },
    });
    const notArray = await request(app).post('/api/v1/cdrs').set('Authorization', `Bearer ${token}`).send({ nope: 1 });
    expect(notArray.status).toBe(400);
    expect(notArray.body.error).toMatch(/JSON array of CDRs/);
  });

  it('when mod_xml_curl sends HTTP Basic with the token as password, then it is accepted', async () => {
    const basic = Buffer.from(`freeswitch:${token}`).toString('base64');
    const response = await request(app).post('/switch/freeswitch/dialplan').set('Authorization', `Basic ${basic}`).type('form').send(dialplanForm('+19995550123'));
    expect(response.status).toBe(200);
    expect(routeOf(response.text).refusal).toBe('unknown_number');
  });

  it('when a switch calls from outside its allowed addresses, then 401; from inside, 200', async () => {
    const outside = await makeSwitch(database.current.db, { admin, allowedAddresses: '192.0.2.0/24' });
    expect((await postDialplan(app, outside.token, dialplanForm('+19995550123'))).status).toBe(401);
    const inside = await makeSwitch(database.current.db, { admin, allowedAddresses: '192.0.2.0/24, 127.0.0.1, ::1' });
    expect((await postDialplan(app, inside.token, dialplanForm('+19995550123'))).status).toBe(200);
  });

  it('when a switch is disabled, then its token no longer works', async () => {
    const db = database.current.db;
    const { changeSwitch } = await import('../../src/services/switches.ts');
    const disabled = await makeSwitch(db, { admin });
    expect((await postDialplan(app, disabled.token, dialplanForm('+19995550123'))).status).toBe(200);
    await changeSwitch(db, disabled.id, { status: 'disabled' }, admin.id, new Date());
    expect((await postDialplan(app, disabled.token, dialplanForm('+19995550123'))).status).toBe(401);
  });

  it('when a token is sent to a page, then it is refused (tokens open only switch routes)', async () => {
    for (const path of ['/admin', '/customer/calls', '/login']) {
      const response = await request(app).get(path).set('Authorization', `Bearer ${token}`);
      expect(response.status).toBe(401);
    }
    // A logged-in session works as before.
    const agent = await loginAs(app, admin.email);
    expect((await agent.get('/admin')).status).toBe(200);
  });
});
