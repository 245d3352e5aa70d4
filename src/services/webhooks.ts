// Webhook endpoints: an account registers URLs for the events it wants, and each event of that
// account becomes one outbox message per subscribed endpoint, in the transaction of the change.
// An endpoint hears only of its own account's events (Twilio's rule): a reseller's endpoint is
// not told of its customers' purchases; their own endpoints are.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { enqueueOutboxMessages, requeueOutboxMessage, type NewOutboxMessage } from '../db/outbox.ts';
import { findEndpointMessage } from '../db/queries/webhook-deliveries.ts';
import {
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listSubscribedEndpoints,
  updateWebhookEndpoint,
  type WebhookEndpointRow,
} from '../db/repos/webhook-endpoints.ts';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type DomainEvent } from '../domain/events.ts';
import { checkWebhookUrl, webhookPayload } from '../domain/webhooks.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { EventSubscriber } from './events.ts';

/** The type of the message "Send test event" sends: not an event anyone subscribes to. */
export const TEST_EVENT_TYPE = 'webhook.test';

export interface EndpointInput {
  url: string;
  description: string;
  events: string[];
}

export interface EndpointSettings {
  /** WEBHOOK_ALLOW_HTTP: plain http (and private hosts) allowed. */
  allowHttp: boolean;
  actorId: number;
  now: Date;
}

/** A Standard Webhooks signing secret: whsec_ and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The id a receiver dedupes on: the same for every try and every Resend of a message. */
export function newWebhookId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

function checkedInput(input: EndpointInput, allowHttp: boolean): EndpointInput {
  const url = checkWebhookUrl(input.url, { allowHttp });
  const events = [...new Set(input.events)];
  const fields: Record<string, string> = {};
  if (!url.ok) fields.url = url.message;
  if (events.length === 0) fields.events = 'Choose at least one event';
  else if (!events.every(isWebhookEventType)) fields.events = `Events are among ${WEBHOOK_EVENT_TYPES.join(', ')}`;
  if (input.description.length > 500) fields.description = 'Use at most 500 characters';
  if (!url.ok || Object.keys(fields).length > 0) throw new ValidationError('Check the endpoint', fields);
  const order = (type: string) => (WEBHOOK_EVENT_TYPES as readonly string[]).indexOf(type);
  return { url: url.url, description: input.description.trim(), events: events.sort((a, b) => order(a) - order(b)) };
}

const audited = (row: WebhookEndpointRow) => ({ url: row.url, description: row.description, events: row.events, enabled: row.enabled });

export async function createWebhookEndpoint(db: Db, accountId: number, input: EndpointInput, settings: EndpointSettings): Promise<WebhookEndpointRow> {
  const checked = checkedInput(input, settings.allowHttp);
  return inTransaction(db, async (trx) => {
    const row = await insertWebhookEndpoint(trx, { account_id: accountId, ...checked, secret: newWebhookSecret(), created_at: settings.now, updated_at: settings.now });
    await insertAuditEntry(trx, { actorId: settings.actorId, action: 'webhook_endpoint.create', entityType: 'webhook_endpoint', entityId: row.id, after: audited(row), at: settings.now });
    return row;
  });
}

export async function findOwnEndpoint(db: Db, accountId: number, id: number): Promise<WebhookEndpointRow> {
  const row = await findWebhookEndpoint(db, accountId, id);
  if (!row) throw new NotFoundError('There is no such webhook endpoint');
  return row;
}

export type EndpointChange =
  | { kind: 'edit'; input: EndpointInput }
  | { kind: 'enable' }
  | { kind: 'disable' }
  | { kind: 'rotate-secret' };

/** Edits, enables (clearing the failure count), disables or gives a new secret to an endpoint of this account. */
export async function changeWebhookEndpoint(db: Db, accountId: number, id: number, change: EndpointChange, settings: EndpointSettings): Promise<WebhookEndpointRow> {
  const checked = change.kind === 'edit' ? checkedInput(change.input, settings.allowHttp) : undefined;
  return inTransaction(db, async (trx) => {
    const before = await findOwnEndpoint(trx, accountId, id);
    const updated_at = settings.now;
    if (checked) await updateWebhookEndpoint(trx, id, { ...checked, updated_at });
    else if (change.kind === 'enable') {
      await updateWebhookEndpoint(trx, id, { enabled: true, disabled_reason: null, disabled_at: null, consecutive_failures: 0, failing_since: null, updated_at });
    } else if (change.kind === 'disable') {
      await updateWebhookEndpoint(trx, id, { enabled: false, disabled_reason: null, disabled_at: settings.now, updated_at });
    } else await updateWebhookEndpoint(trx, id, { secret: newWebhookSecret(), updated_at });
    const after = await findOwnEndpoint(trx, accountId, id);
    await insertAuditEntry(trx, {
      actorId: settings.actorId, action: `webhook_endpoint.${change.kind}`, entityType: 'webhook_endpoint', entityId: id,
      before: audited(before), after: audited(after), at: settings.now,
    });
    return after;
  });
}

/** Deletes an endpoint; its messages stay in the outbox log, and those still pending fail (the deliverer finds no endpoint). */
export async function removeWebhookEndpoint(db: Db, accountId: number, id: number, settings: Omit<EndpointSettings, 'allowHttp'>): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await findOwnEndpoint(trx, accountId, id);
    await deleteWebhookEndpoint(trx, accountId, id);
    await insertAuditEntry(trx, { actorId: settings.actorId, action: 'webhook_endpoint.delete', entityType: 'webhook_endpoint', entityId: id, before: audited(before), at: settings.now });
  });
}

function messageFor(endpoint: WebhookEndpointRow, event: { type: string; occurredAt: Date; data: Record<string, unknown> }): NewOutboxMessage {
  return {
    channel: 'webhook',
    event: event.type,
    accountId: endpoint.account_id,
    recipient: endpoint.url,
    endpointId: endpoint.id,
    payload: { ...webhookPayload(newWebhookId(), event) },
  };
}

/** "Send test event": one message of type webhook.test to this endpoint (to a disabled one it fails at once, in its log). */
export async function sendTestWebhook(db: Db, accountId: number, id: number, now: Date): Promise<number> {
  return inTransaction(db, async (trx) => {
    const endpoint = await findOwnEndpoint(trx, accountId, id);
    const data = { endpoint_id: endpoint.id, message: 'A test event from didhub: your endpoint receives and verifies deliveries.' };
    const [messageId] = await enqueueOutboxMessages(trx, [messageFor(endpoint, { type: TEST_EVENT_TYPE, occurredAt: now, data })], now);
    return messageId!;
  });
}

/** "Resend": the message is due again now, with the same webhook-id. */
export async function resendWebhookMessage(db: Db, accountId: number, endpointId: number, messageId: number, now: Date): Promise<void> {
  await inTransaction(db, async (trx) => {
    const message = await findEndpointMessage(trx, accountId, endpointId, messageId);
    if (!message) throw new NotFoundError('There is no such delivery');
    await requeueOutboxMessage(trx, message.id, now);
  });
}

/** The subscriber (services/event-subscribers.ts): one read of the subscribed endpoints, one insert of their messages. */
export const webhookSubscriber: EventSubscriber = async (trx, events) => {
  const wanted = events.filter((event): event is DomainEvent => isWebhookEventType(event.type));
  if (wanted.length === 0) return;
  const accountIds = [...new Set(wanted.map((event) => event.accountId))];
  const types = [...new Set(wanted.map((event) => event.type))];
  const endpoints = await listSubscribedEndpoints(trx, accountIds, types);
  if (endpoints.length === 0) return;
  const messages: NewOutboxMessage[] = [];
  for (const event of wanted) {
    for (const endpoint of endpoints) {
      if (endpoint.account_id === event.accountId && endpoint.events.includes(event.type)) messages.push({ ...messageFor(endpoint, event), notBefore: event.occurredAt });
    }
  }
  const latest = new Date(Math.max(...wanted.map((event) => event.occurredAt.getTime())));
  await enqueueOutboxMessages(trx, messages, latest);
};
