// Delivers the outbox's webhook channel: an HTTP POST of the Standard Webhooks body, signed with
// the endpoint's secret (webhook-id, webhook-timestamp, webhook-signature). A 2xx answer is
// delivered; 410 Gone fails the message and disables the endpoint; anything else (another status,
// a refused connection, no answer within the timeout) is tried again on the retry schedule.
// After each outcome the endpoint's failure count moves: a success clears it, and an endpoint
// failing for WEBHOOK_DISABLE_AFTER_HOURS is disabled with its reason shown to the owner.
// The endpoint's host is resolved as the connection is made, and the connection goes to the
// addresses checked: a name that resolves to this machine or a private network (an address a
// public URL was made to point at after it was saved, or DNS rebinding between a check and the
// connect) is refused for good, unless WEBHOOK_ALLOW_HTTP allows receivers on the operator's own
// network. node:http rather than fetch, because only it takes the lookup to connect with.
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import type { OutboxMessageRow } from '../db/outbox.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { findWebhookEndpointById, lockWebhookEndpoint, updateWebhookEndpoint } from '../db/repos/webhook-endpoints.ts';
import { disableReason, isPrivateAddress, webhookBodyText } from '../domain/webhooks.ts';
import { LEASE_SECONDS, type DeliveryOutcome, type OutboxDeliverer } from './outbox-worker.ts';

/** How long a receiver has to answer. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer the delivery log keeps. */
const KEPT_RESPONSE_CHARS = 500;

const ENDPOINT_GONE = 'The endpoint was deleted';
const ENDPOINT_DISABLED = 'The endpoint is disabled';

export interface WebhookDelivererOptions {
  /** WEBHOOK_DISABLE_AFTER_HOURS. */
  disableAfterHours: number;
  timeoutMs?: number;
  /** The signature's timestamp: the real time of the try (receivers refuse one more than 5 minutes off). */
  clock?: () => Date;
  /** WEBHOOK_ALLOW_HTTP: receivers on this machine or a private network may be reached. */
  allowPrivateTargets: boolean;
  /** The addresses a host name resolves to (DNS by default). */
  resolve?: (hostname: string) => Promise<string[]>;
}

async function resolveAll(hostname: string): Promise<string[]> {
  return (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);
}

function refusalText(hostname: string, address: string): string {
  return `Refused: ${hostname} resolves to ${address}, an address on this machine or a private, loopback or link-local network; webhooks go to public addresses only (WEBHOOK_ALLOW_HTTP is off)`;
}

/** A refused target: the delivery fails for good, with the reason in the log. */
class PrivateTargetError extends Error {}

/** The lookup the connection uses: it resolves once, refuses private answers, connects to the rest. */
function guardedLookup(resolve: (hostname: string) => Promise<string[]>): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (error: Error | null, address: string | Array<{ address: string; family: number }>, family?: number) => void) => {
    resolve(hostname)
      .then((addresses) => {
        const inside = addresses.find(isPrivateAddress);
        if (inside !== undefined) throw new PrivateTargetError(refusalText(hostname, inside));
        if (addresses.length === 0) throw new Error(`${hostname} has no address`);
        const entries = addresses.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }));
        if (options.all) callback(null, entries);
        else callback(null, entries[0]!.address, entries[0]!.family);
      })
      .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''));
  }) as unknown as LookupFunction;
}

interface ReceiverAnswer {
  status: number;
  /** The start of the body, for the delivery log. */
  text: string;
}

/** POSTs the body; resolves with the status and the start of the answer (the rest is not read). */
function postOnce(url: URL, headers: OutgoingHttpHeaders, body: string, options: Pick<WebhookDelivererOptions, 'allowPrivateTargets' | 'resolve' | 'timeoutMs'>): Promise<ReceiverAnswer> {
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  // An address in the URL is connected to without a lookup: it is checked here.
  if (!options.allowPrivateTargets && isIP(literal) && isPrivateAddress(literal)) return Promise.reject(new PrivateTargetError(refusalText(literal, literal)));
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      signal: AbortSignal.timeout(options.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
      ...(options.allowPrivateTargets ? {} : { lookup: guardedLookup(options.resolve ?? resolveAll) }),
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        if (text.length > KEPT_RESPONSE_CHARS) response.destroy();
      });
      response.on('error', () => undefined);
      response.on('close', () => resolve({ status: response.statusCode ?? 0, text: keptText(text) }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function keptText(text: string): string {
  return text.length > KEPT_RESPONSE_CHARS ? `${text.slice(0, KEPT_RESPONSE_CHARS)}…` : text;
}

function failureText(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'No answer within the timeout';
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}

/** Signs and POSTs one message to its endpoint's current URL with its current secret. */
export async function postWebhook(message: OutboxMessageRow, endpoint: { url: string; secret: string }, options: WebhookDelivererOptions): Promise<DeliveryOutcome> {
  const body = webhookBodyText(message.payload);
  const webhookId = typeof message.payload.webhook_id === 'string' ? message.payload.webhook_id : `msg_${message.id}`;
  const timestamp = (options.clock ?? (() => new Date()))();
  const signature = new Webhook(endpoint.secret).sign(webhookId, timestamp, body);
  let answer: ReceiverAnswer;
  try {
    // A redirect is the receiver's answer (node:http does not follow it): the signed body is never sent elsewhere.
    answer = await postOnce(new URL(endpoint.url), {
      'content-type': 'application/json',
      'user-agent': 'didhub-webhooks/1',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    }, body, options);
  } catch (error) {
    if (error instanceof PrivateTargetError) return { ok: false, permanent: true, detail: error.message };
    return { ok: false, permanent: false, detail: failureText(error) };
  }
  const detail = `HTTP ${answer.status}${answer.text ? `: ${answer.text}` : ''}`;
  if (answer.status >= 200 && answer.status < 300) return { ok: true, responseCode: answer.status, detail };
  return { ok: false, permanent: answer.status === 410, responseCode: answer.status, detail };
}

export function webhookDeliverer(options: WebhookDelivererOptions): OutboxDeliverer {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return {
    channel: 'webhook',
    // Receivers that all hang still finish a claimed batch in half its lease: no other worker takes a message twice.
    batchSize: Math.max(1, Math.floor((LEASE_SECONDS * 1000) / (2 * timeoutMs))),
    async deliver(message, { db }) {
      const endpoint = message.endpoint_id === null ? undefined : await findWebhookEndpointById(db, message.endpoint_id);
      if (!endpoint) return { ok: false, permanent: true, detail: ENDPOINT_GONE };
      if (!endpoint.enabled) return { ok: false, permanent: true, detail: ENDPOINT_DISABLED };
      return postWebhook(message, endpoint, options);
    },
    afterOutcome: (db, message, outcome, now) => countOutcome(db, message, outcome, now, options.disableAfterHours),
  };
}

/** A success clears the endpoint's failure count; a failure adds to it and may disable the endpoint. */
export async function countOutcome(db: Db, message: OutboxMessageRow, outcome: DeliveryOutcome, now: Date, disableAfterHours: number): Promise<void> {
  if (message.endpoint_id === null || (!outcome.ok && (outcome.detail === ENDPOINT_GONE || outcome.detail === ENDPOINT_DISABLED))) return;
  const endpointId = message.endpoint_id;
  await inTransaction(db, async (trx) => {
    const endpoint = await lockWebhookEndpoint(trx, endpointId);
    if (!endpoint || !endpoint.enabled) return;
    if (outcome.ok) {
      await updateWebhookEndpoint(trx, endpoint.id, { consecutive_failures: 0, failing_since: null, last_success_at: now, updated_at: now });
      return;
    }
    const state = { consecutiveFailures: endpoint.consecutive_failures + 1, failingSince: endpoint.failing_since ?? now };
    const reason = disableReason(state, now, { disableAfterHours, responseCode: outcome.responseCode });
    await updateWebhookEndpoint(trx, endpoint.id, {
      consecutive_failures: state.consecutiveFailures,
      failing_since: state.failingSince,
      ...(reason ? { enabled: false, disabled_reason: reason, disabled_at: now } : {}),
      updated_at: now,
    });
    if (reason) {
      await insertAuditEntry(trx, {
        actorId: null, action: 'webhook_endpoint.auto_disable', entityType: 'webhook_endpoint', entityId: endpoint.id,
        before: { enabled: true }, after: { enabled: false, reason, last_message_id: message.id }, at: now,
      });
    }
  });
}
