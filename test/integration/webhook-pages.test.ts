// The Webhooks pages: an account adds, edits, tests, disables, deletes its endpoints, reads their
// delivery log and resends a delivery; another account's endpoint is a 404 everywhere.
import type { Express } from 'express';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { listOutboxMessages } from '../../src/db/queries/outbox.ts';
import { findWebhookEndpoint } from '../../src/db/repos/webhook-endpoints.ts';
import { drainOutbox } from '../../src/services/outbox-worker.ts';
import { webhookDeliverer } from '../../src/services/webhook-deliverer.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeWebhookEndpoint } from '../helpers/factories.ts';
import { csrfToken, loginAs, postForm, type Agent } from '../helpers/login.ts';
import { startWebhookReceiver, verifiedBody, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const database = useTestDatabase();
const deliverer = webhookDeliverer({ disableAfterHours: 24, timeoutMs: 5000, allowPrivateTargets: true });
let db: Knex;
let app: Express;
let receiver: WebhookReceiver;
let reseller: AccountRow;
let otherReseller: AccountRow;
let agent: Agent;
let otherAgent: Agent;
let path = 0;
const newPath = () => `/pages/${++path}`;

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db);
  receiver = await startWebhookReceiver();
  const admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin });
  otherReseller = await makeAccount(db, { role: 'reseller', parent: admin });
  agent = await loginAs(app, reseller.email);
  otherAgent = await loginAs(app, otherReseller.email);
});

afterAll(async () => {
  await receiver.close();
});

/** The endpoint form as a browser sends it: one `events` field per ticked box. */
async function sendEndpointForm(as: Agent, action: string, fields: { url: string; description?: string; events: string[] }, formPage = '/reseller/webhooks/new') {
  const body = new URLSearchParams({ _csrf: await csrfToken(as, formPage), url: fields.url, description: fields.description ?? '' });
  for (const event of fields.events) body.append('events', event);
  return as.post(action).type('form').send(body.toString());
}

const deliverAll = () => drainOutbox(db, deliverer, { now: () => new Date(Date.now() + 1000) });

async function endpointMessages(endpointId: number) {
  return (await listOutboxMessages(db, { channel: 'webhook', endpointId }, { limit: 50, offset: 0 })).rows;
}

describe('Webhooks pages', () => {
  it('when a reseller adds an endpoint, then its page shows the signing secret, and "Send test event" reaches the receiver signed with it', async () => {
    const hook = newPath();
    const created = await sendEndpointForm(agent, '/reseller/webhooks', { url: `${receiver.url}${hook}`, description: 'Provisioning', events: ['number.purchased', 'call.completed'] });
    expect(created.status).toBe(302);
    const id = Number(/\/reseller\/webhooks\/(\d+)$/.exec(created.headers.location!)![1]);
    const endpoint = (await findWebhookEndpoint(db, reseller.id, id))!;
    expect(endpoint).toMatchObject({ url: `${receiver.url}${hook}`, description: 'Provisioning', events: ['number.purchased', 'call.completed'], enabled: true });
    const page = await agent.get(`/reseller/webhooks/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(endpoint.secret);
    expect(page.headers['cache-control']).toBe('no-store');
    expect((await agent.get('/reseller/webhooks')).text).toContain(`${receiver.url}${hook}`);

    expect((await postForm(agent, `/reseller/webhooks/${id}/actions`, { action: 'test' }, `/reseller/webhooks/${id}`)).status).toBe(302);
    await deliverAll();
    const [request] = receiver.at(hook);
    expect(verifiedBody(endpoint.secret, request!)).toMatchObject({ type: 'webhook.test', data: { endpoint_id: id } });
    const log = await agent.get(`/reseller/webhooks/${id}`);
    expect(log.text).toContain('webhook.test');
    expect(log.text).toContain(request!.headers['webhook-id']);
    expect(log.text).toMatch(/data-response-code>200</);
  });

  it.each([
    ['http://example.com/hook', ['number.purchased'], 'url', 'Plain http:// is allowed only to this machine or a private network address; use https://'],
    ['ftp://example.com/hook', ['number.purchased'], 'url', 'The URL must start with https://'],
    ['not a url', ['number.purchased'], 'url', 'Enter a full URL such as https://example.com/webhooks/didhub'],
    ['https://hooks.example.com/x', [], 'events', 'Choose at least one event'],
    ['https://hooks.example.com/x', ['number.deleted'], 'events', 'Choose events from the list'],
  ])('when the form has %s with events %j, then it comes back with 400 and one message, the input kept', async (url, events, field, message) => {
    const response = await sendEndpointForm(agent, '/reseller/webhooks', { url, events, description: 'kept description' });
    expect(response.status).toBe(400);
    expect(response.text).toContain(`id="e-${field}">${message}`);
    expect(response.text).toContain('kept description');
    for (const event of events.filter((each) => each.startsWith('number.purchased'))) expect(response.text).toMatch(new RegExp(`value="${event}" checked`));
  });

  it('when the app does not allow plain http, then a localhost receiver is refused', async () => {
    const { testConfig } = await import('../helpers/app.ts');
    const strict = createTestApp(db, { config: testConfig({ WEBHOOK_ALLOW_HTTP: 'false' }) });
    const strictAgent = await loginAs(strict, reseller.email);
    const response = await sendEndpointForm(strictAgent, '/reseller/webhooks', { url: `${receiver.url}/never`, events: ['number.purchased'] });
    expect(response.status).toBe(400);
    expect(response.text).toContain('The URL must start with https://');
    const local = await sendEndpointForm(strictAgent, '/reseller/webhooks', { url: 'https://127.0.0.1/hook', events: ['number.purchased'] });
    expect(local.text).toContain('The URL must point to a public address');
  });

  it('when a delivery is resent from the log, then the receiver gets it again with the same webhook-id', async () => {
    const hook = newPath();
    const endpoint = await makeWebhookEndpoint(db, reseller, { url: `${receiver.url}${hook}` });
    await postForm(agent, `/reseller/webhooks/${endpoint.id}/actions`, { action: 'test' }, `/reseller/webhooks/${endpoint.id}`);
    await deliverAll();
    const [message] = await endpointMessages(endpoint.id);
    expect(message).toMatchObject({ status: 'delivered' });
    const resent = await postForm(agent, `/reseller/webhooks/${endpoint.id}/deliveries/${message!.id}/resend`, {}, `/reseller/webhooks/${endpoint.id}`);
    expect(resent.status).toBe(302);
    expect((await endpointMessages(endpoint.id))[0]).toMatchObject({ status: 'pending' });
    await deliverAll();
    const requests = receiver.at(hook);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.headers['webhook-id']).toBe(requests[0]!.headers['webhook-id']);
    expect((await endpointMessages(endpoint.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('when the owner edits, disables, enables, rotates the secret and deletes, then each takes effect', async () => {
    const hook = newPath();
    const endpoint = await makeWebhookEndpoint(db, reseller, { url: `${receiver.url}${hook}` });
    const page = `/reseller/webhooks/${endpoint.id}`;
    const edited = await sendEndpointForm(agent, page, { url: `${receiver.url}${hook}`, description: 'Edited', events: ['balance.low'] }, `${page}/edit`);
    expect(edited.status).toBe(302);
    expect(await findWebhookEndpoint(db, reseller.id, endpoint.id)).toMatchObject({ description: 'Edited', events: ['balance.low'] });

    await postForm(agent, `${page}/actions`, { action: 'disable' }, page);
    expect(await findWebhookEndpoint(db, reseller.id, endpoint.id)).toMatchObject({ enabled: false, disabled_reason: null });
    expect((await agent.get(page)).text).toContain('You disabled it.');
    expect((await agent.get('/reseller')).text).not.toContain(`data-endpoint="${endpoint.id}"`);
    await postForm(agent, `${page}/actions`, { action: 'enable' }, page);
    expect(await findWebhookEndpoint(db, reseller.id, endpoint.id)).toMatchObject({ enabled: true, disabled_reason: null });

    await postForm(agent, `${page}/actions`, { action: 'rotate-secret' }, page);
    const rotated = (await findWebhookEndpoint(db, reseller.id, endpoint.id))!;
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await postForm(agent, `${page}/actions`, { action: 'test' }, page);
    await deliverAll();
    expect(verifiedBody(rotated.secret, receiver.at(hook)[0]!)).toMatchObject({ type: 'webhook.test' });
    expect(() => verifiedBody(endpoint.secret, receiver.at(hook)[0]!)).toThrow();

    expect((await agent.get(`${page}/delete`)).text).toContain('Delete endpoint');
    const deleted = await postForm(agent, `${page}/actions`, { action: 'delete' }, `${page}/delete`);
    expect(deleted.headers.location).toBe('/reseller/webhooks');
    expect(await findWebhookEndpoint(db, reseller.id, endpoint.id)).toBeUndefined();
    expect((await agent.get(page)).status).toBe(404);
  });

  it('when an endpoint was disabled for failing, then the Webhooks page and the dashboard show the owner why', async () => {
    const endpoint = await makeWebhookEndpoint(db, reseller, { url: `${receiver.url}${newPath()}` });
    await db('webhook_endpoints').where({ id: endpoint.id }).update({ enabled: false, disabled_reason: 'Every delivery failed for 27 hours (8 tries in a row).' });
    const list = await agent.get('/reseller/webhooks');
    expect(list.text).toMatch(new RegExp(`notice-webhook-disabled" role="alert" data-endpoint="${endpoint.id}"`));
    expect(list.text).toContain('Every delivery failed for 27 hours (8 tries in a row).');
    const dashboard = await agent.get('/reseller');
    expect(dashboard.text).toMatch(new RegExp(`notice-webhook-disabled" role="alert" data-endpoint="${endpoint.id}"`));
    expect(dashboard.text).toContain(`href="/reseller/webhooks/${endpoint.id}"`);
  });

  it('when another account opens, changes or resends an endpoint it does not own, then it gets 404 and nothing changes', async () => {
    const endpoint = await makeWebhookEndpoint(db, reseller, { url: `${receiver.url}${newPath()}`, description: 'not yours' });
    await postForm(agent, `/reseller/webhooks/${endpoint.id}/actions`, { action: 'test' }, `/reseller/webhooks/${endpoint.id}`);
    const [message] = await endpointMessages(endpoint.id);
    const page = `/reseller/webhooks/${endpoint.id}`;
    for (const path of [page, `${page}/edit`, `${page}/delete`]) expect((await otherAgent.get(path)).status, path).toBe(404);
    for (const action of ['disable', 'rotate-secret', 'test', 'delete']) {
      expect((await postForm(otherAgent, `${page}/actions`, { action }, '/reseller/webhooks')).status, action).toBe(404);
    }
    expect((await sendEndpointForm(otherAgent, page, { url: 'https://evil.example.com/', events: ['number.purchased'] })).status).toBe(404);
    expect((await postForm(otherAgent, `${page}/deliveries/${message!.id}/resend`, {}, '/reseller/webhooks')).status).toBe(404);
    // Its own endpoint's id with another endpoint's message is no way in either.
    const own = await makeWebhookEndpoint(db, otherReseller, { url: 'https://hooks.example.com/own' });
    expect((await postForm(otherAgent, `/reseller/webhooks/${own.id}/deliveries/${message!.id}/resend`, {}, '/reseller/webhooks')).status).toBe(404);
    expect((await otherAgent.get('/reseller/webhooks')).text).not.toContain('not yours');
    expect(await findWebhookEndpoint(db, reseller.id, endpoint.id)).toMatchObject({ enabled: true, secret: endpoint.secret, url: endpoint.url });
    expect(await endpointMessages(endpoint.id)).toHaveLength(1);
  });
});
