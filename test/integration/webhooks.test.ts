// Webhooks end to end: events written in the change's transaction reach a local receiver signed
// as Standard Webhooks says, are retried on the schedule, disable an endpoint that keeps failing,
// and come from CDR batches (call.completed) only for owners that asked.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { findOutboxMessage, listOutboxAttempts, type OutboxMessageRow } from '../../src/db/outbox.ts';
import { listOutboxMessages } from '../../src/db/queries/outbox.ts';
import { findWebhookEndpoint } from '../../src/db/repos/webhook-endpoints.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { recordEvent } from '../../src/services/events.ts';
import { deliverDueMessages, drainOutbox } from '../../src/services/outbox-worker.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { postWebhook, webhookDeliverer } from '../../src/services/webhook-deliverer.ts';
import { createTestApp, testPricing } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeOwnedDid, makeSwitch, makeWebhookEndpoint } from '../helpers/factories.ts';
import { freeswitchCdr, postFreeswitchCdr } from '../helpers/switch.ts';
import { startWebhookReceiver, verifiedBody, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const database = useTestDatabase();
const deliverer = webhookDeliverer({ disableAfterHours: 24, timeoutMs: 5000, allowPrivateTargets: true });
let db: Knex;
let admin: AccountRow;
let receiver: WebhookReceiver;
let path = 0;
const newPath = () => `/hook/${++path}`;

beforeAll(async () => {
  db = database.current.db;
  admin = await makeAccount(db, { role: 'admin' });
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver.close();
});

const at = (start: Date, seconds: number) => new Date(start.getTime() + seconds * 1000);

async function messagesOf(endpointId: number) {
  return (await listOutboxMessages(db, { channel: 'webhook', endpointId }, { limit: 100, offset: 0 })).rows;
}

describe('webhook deliveries', () => {
  it('when a number is purchased, then the subscribed endpoint gets number.purchased once, signed, and no other endpoint hears of it', async () => {
    const start = new Date();
    const buyer = await makeAccount(db, { role: 'reseller', parent: admin, balance: '20' });
    const other = await makeAccount(db, { role: 'reseller', parent: admin, balance: '20' });
    const [mine, unsubscribed, others] = [newPath(), newPath(), newPath()];
    const endpoint = await makeWebhookEndpoint(db, buyer, { url: `${receiver.url}${mine}`, events: ['number.purchased', 'number.released'] });
    await makeWebhookEndpoint(db, buyer, { url: `${receiver.url}${unsubscribed}`, events: ['call.completed'] });
    await makeWebhookEndpoint(db, other, { url: `${receiver.url}${others}`, events: ['number.purchased'] });
    const did = await makeDid(db, { setup_fee: '1.00', monthly_fee: '2.00' });

    await purchaseDid(db, { pricing: testPricing(), buyerId: buyer.id, productId: did.id, idempotencyKey: randomUUID(), now: start, actorId: buyer.id });
    await drainOutbox(db, deliverer, { now: () => at(start, 1) });
    await drainOutbox(db, deliverer, { now: () => at(start, 2) });

    expect(receiver.at(mine)).toHaveLength(1);
    expect(receiver.at(unsubscribed)).toHaveLength(0);
    expect(receiver.at(others)).toHaveLength(0);
    const request = receiver.at(mine)[0]!;
    const body = verifiedBody(endpoint.secret, request);
    expect(body).toMatchObject({ type: 'number.purchased', timestamp: start.toISOString(), data: { number: did.number, product_id: did.id, setup_fee: '1.000000' } });
    expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(request.headers['content-type']).toBe('application/json');
    const [message] = await messagesOf(endpoint.id);
    expect(message).toMatchObject({ status: 'delivered', attempts: 1, event: 'number.purchased' });
    expect(await listOutboxAttempts(db, message!.id)).toMatchObject([{ ok: true, response_code: 200, detail: 'HTTP 200: thanks' }]);
  });

  it('when local targets are not allowed and the host resolves to a private address, then the delivery fails for good at once with the reason in the delivery log', async () => {
    const start = new Date();
    const account = await makeAccount(db, { role: 'customer', parent: admin });
    const hook = newPath();
    // The URL names a public-looking host; its DNS answer points inside (a rebound name).
    const strict = webhookDeliverer({ disableAfterHours: 24, timeoutMs: 5000, allowPrivateTargets: false, resolve: async () => ['93.184.215.14', '::ffff:127.0.0.1'] });
    const endpoint = await makeWebhookEndpoint(db, account, { url: `https://hooks.example.com${hook}`, events: ['number.released'] });
    await recordEvent(db, { type: 'number.released', accountId: account.id, occurredAt: start, data: { number: '+14155550100', reason: 'released_by_holder' } });
    await drainOutbox(db, strict, { now: () => at(start, 1) });
    const [message] = await messagesOf(endpoint.id);
    expect(message).toMatchObject({ status: 'failed', attempts: 1 });
    const [attempt] = await listOutboxAttempts(db, message!.id);
    expect(attempt).toMatchObject({ ok: false });
    expect(attempt!.detail).toContain('hooks.example.com resolves to ::ffff:127.0.0.1');
  });

  it('when local targets are not allowed and the URL names a private address itself, then the delivery fails for good without connecting', async () => {
    const start = new Date();
    const account = await makeAccount(db, { role: 'customer', parent: admin });
    const hook = newPath();
    const strict = webhookDeliverer({ disableAfterHours: 24, timeoutMs: 5000, allowPrivateTargets: false });
    const endpoint = await makeWebhookEndpoint(db, account, { url: `${receiver.url}${hook}`, events: ['number.released'] });
    await recordEvent(db, { type: 'number.released', accountId: account.id, occurredAt: start, data: { number: '+14155550100', reason: 'released_by_holder' } });
    await drainOutbox(db, strict, { now: () => at(start, 1) });
    const [message] = await messagesOf(endpoint.id);
    expect(message).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await listOutboxAttempts(db, message!.id))[0]!.detail).toMatch(/^Refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1/);
    expect(receiver.at(hook)).toHaveLength(0);
  });

  it('when a receiver hangs, then the try ends at the timeout; when it talks at length, then the log keeps the start', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/long') res.writeHead(503).end('x'.repeat(5000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const message = { id: 1, payload: { webhook_id: 'msg_timeout', type: 'number.released', data: {} } } as unknown as OutboxMessageRow;
    const options = { disableAfterHours: 24, timeoutMs: 300, allowPrivateTargets: true };
    try {
      expect(await postWebhook(message, { url: `${base}/hang`, secret: `whsec_${Buffer.from('k'.repeat(24)).toString('base64')}` }, options))
        .toEqual({ ok: false, permanent: false, detail: 'No answer within the timeout' });
      const long = await postWebhook(message, { url: `${base}/long`, secret: `whsec_${Buffer.from('k'.repeat(24)).toString('base64')}` }, options);
      expect(long).toMatchObject({ ok: false, permanent: false, responseCode: 503 });
      expect(long.detail).toBe(`HTTP 503: ${'x'.repeat(500)}…`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('when the receiver fails twice, then the event comes again on the retry schedule with the same webhook-id, and is delivered on the third try', async () => {
    const start = new Date();
    const account = await makeAccount(db, { role: 'customer', parent: admin });
    const hook = newPath();
    receiver.answer(hook, (nth) => (nth <= 2 ? 500 : 204));
    const endpoint = await makeWebhookEndpoint(db, account, { url: `${receiver.url}${hook}`, events: ['number.released'] });
    await recordEvent(db, { type: 'number.released', accountId: account.id, occurredAt: start, data: { number: '+14155550100', reason: 'released_by_holder' } });

    await deliverDueMessages(db, deliverer, { now: () => at(start, 0) });
    await deliverDueMessages(db, deliverer, { now: () => at(start, 4) });
    expect(receiver.at(hook)).toHaveLength(1);
    await deliverDueMessages(db, deliverer, { now: () => at(start, 6) });
    await deliverDueMessages(db, deliverer, { now: () => at(start, 6 + 301) });

    const requests = receiver.at(hook);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((each) => each.headers['webhook-id'])).size).toBe(1);
    for (const request of requests) expect(verifiedBody(endpoint.secret, request)).toMatchObject({ type: 'number.released', data: { number: '+14155550100' } });
    const [message] = await messagesOf(endpoint.id);
    expect(message).toMatchObject({ status: 'delivered', attempts: 3 });
    expect((await listOutboxAttempts(db, message!.id)).map((each) => [each.ok, each.response_code])).toEqual([[true, 204], [false, 500], [false, 500]]);
    expect((await listOutboxAttempts(db, message!.id))[1]!.detail).toBe('HTTP 500: receiver says 500');
    expect(await findWebhookEndpoint(db, account.id, endpoint.id)).toMatchObject({ enabled: true, consecutive_failures: 0, failing_since: null });
  });

  it('when the change that records an event rolls back, then nothing is queued or sent', async () => {
    const account = await makeAccount(db, { role: 'customer', parent: admin });
    const endpoint = await makeWebhookEndpoint(db, account, { url: `${receiver.url}${newPath()}`, events: ['number.released'] });
    await expect(
      inTransaction(db, async (trx) => {
        await recordEvent(trx, { type: 'number.released', accountId: account.id, occurredAt: new Date(), data: { number: '+14155550101' } });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await messagesOf(endpoint.id)).toEqual([]);
  });

  it('when every delivery to an endpoint fails for more than a day, then the endpoint is disabled with a reason and hears of nothing more', async () => {
    const start = new Date();
    const account = await makeAccount(db, { role: 'customer', parent: admin });
    const hook = newPath();
    receiver.answer(hook, 503);
    const endpoint = await makeWebhookEndpoint(db, account, { url: `${receiver.url}${hook}`, events: ['balance.low'] });
    await recordEvent(db, { type: 'balance.low', accountId: account.id, occurredAt: start, data: { balance: '0.50', available: '0.50', threshold: '5.00' } });
    // The worker comes by each time the message is due again: 0, 5 s, 5 min, 35 min, … 27.6 h.
    for (let round = 0; round < 12; round += 1) {
      const [waiting] = await messagesOf(endpoint.id);
      if (waiting!.status !== 'pending') break;
      await deliverDueMessages(db, deliverer, { now: () => waiting!.next_attempt_at });
    }

    const row = await findWebhookEndpoint(db, account.id, endpoint.id);
    expect(row).toMatchObject({ enabled: false, consecutive_failures: 8 });
    expect(row!.disabled_reason).toMatch(/^Every delivery failed for 27 hours \(8 tries in a row\)/);
    const [message] = await messagesOf(endpoint.id);
    expect(message).toMatchObject({ status: 'failed', attempts: 8 });
    expect(await db('audit_log').where({ entity_type: 'webhook_endpoint', entity_id: endpoint.id, action: 'webhook_endpoint.auto_disable' })).toHaveLength(1);

    await recordEvent(db, { type: 'balance.low', accountId: account.id, occurredAt: at(start, 400_000), data: { balance: '0.10' } });
    expect(await messagesOf(endpoint.id)).toHaveLength(1);
  });

  it('when the receiver answers 410 Gone, then the message fails at once and the endpoint is disabled', async () => {
    const start = new Date();
    const account = await makeAccount(db, { role: 'customer', parent: admin });
    const hook = newPath();
    receiver.answer(hook, 410);
    const endpoint = await makeWebhookEndpoint(db, account, { url: `${receiver.url}${hook}`, events: ['number.suspended'] });
    await recordEvent(db, { type: 'number.suspended', accountId: account.id, occurredAt: start, data: { number: '+14155550102' } });
    await deliverDueMessages(db, deliverer, { now: () => at(start, 1) });
    expect(await messagesOf(endpoint.id)).toMatchObject([{ status: 'failed', attempts: 1 }]);
    const row = await findWebhookEndpoint(db, account.id, endpoint.id);
    expect(row).toMatchObject({ enabled: false });
    expect(row!.disabled_reason).toContain('410 Gone');
  });

  it('when an endpoint is disabled while a message waits, then the message fails without a request and does not count as the endpoint failing', async () => {
    const start = new Date();
    const account = await makeAccount(db, { role: 'customer', parent: admin });
    const hook = newPath();
    const endpoint = await makeWebhookEndpoint(db, account, { url: `${receiver.url}${hook}`, events: ['number.suspended'] });
    await recordEvent(db, { type: 'number.suspended', accountId: account.id, occurredAt: start, data: { number: '+14155550103' } });
    await db('webhook_endpoints').where({ id: endpoint.id }).update({ enabled: false });
    await deliverDueMessages(db, deliverer, { now: () => at(start, 1) });
    expect(await messagesOf(endpoint.id)).toMatchObject([{ status: 'failed', last_error: 'The endpoint is disabled' }]);
    expect(await findWebhookEndpoint(db, account.id, endpoint.id)).toMatchObject({ consecutive_failures: 0 });
  });
});

describe('call.completed', () => {
  it('when a CDR batch charges calls, then only owners with a call.completed endpoint get one event per call, and a replayed CDR sends nothing more', async () => {
    const app = createTestApp(db);
    const { token } = await makeSwitch(db, { admin });
    const reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
    const listening = await makeAccount(db, { role: 'customer', parent: reseller, balance: '50' });
    const quiet = await makeAccount(db, { role: 'customer', parent: admin, balance: '50' });
    const hook = newPath();
    const endpoint = await makeWebhookEndpoint(db, listening, { url: `${receiver.url}${hook}`, events: ['call.completed'] });
    const resellerEndpoint = await makeWebhookEndpoint(db, reseller, { url: `${receiver.url}${newPath()}`, events: ['call.completed'] });
    const quietDid = await makeOwnedDid(db, { owner: quiet });
    const listeningDid = await makeOwnedDid(db, { owner: listening, reseller });
    const uuids = [randomUUID(), randomUUID(), randomUUID()];

    expect((await postFreeswitchCdr(app, token, freeswitchCdr({ uuid: uuids[0]!, number: listeningDid.number, billsec: 65 }))).status).toBe(200);
    expect((await postFreeswitchCdr(app, token, freeswitchCdr({ uuid: uuids[1]!, number: quietDid.number, billsec: 30 }))).status).toBe(200);
    expect((await postFreeswitchCdr(app, token, freeswitchCdr({ uuid: uuids[2]!, number: listeningDid.number, billsec: 0 }))).status).toBe(200);
    expect((await postFreeswitchCdr(app, token, freeswitchCdr({ uuid: uuids[0]!, number: listeningDid.number, billsec: 65 }))).status).toBe(200);

    const messages = await messagesOf(endpoint.id);
    expect(messages.map((each) => (each.payload.data as { uuid: string }).uuid).sort()).toEqual([uuids[0], uuids[2]].sort());
    expect(await messagesOf(resellerEndpoint.id)).toEqual([]);
    const total = await db('outbox_messages').where({ event: 'call.completed' }).whereRaw(`payload->'data'->>'uuid' = ?`, [uuids[1]!]);
    expect(total).toEqual([]);

    await drainOutbox(db, deliverer, { now: () => new Date(Date.now() + 1000) });
    const answered = receiver.at(hook).map((request) => verifiedBody(endpoint.secret, request)).find((body) => body.data.uuid === uuids[0]);
    const call = await db('calls').where({ uuid: uuids[0] }).first();
    expect(answered).toMatchObject({ type: 'call.completed', data: { call_id: call.id, number: listeningDid.number, billsec: 65, caller: '+15105550123', cost: expect.any(String) } });
    expect(Number((answered!.data as { cost: string }).cost)).toBe(Number(call.cost));
    expect(Number(call.cost)).toBeGreaterThan(0);
    expect(await findOutboxMessage(db, messages[0]!.id)).toMatchObject({ status: 'delivered' });
  });
});
