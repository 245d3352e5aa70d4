// Webhooks as Standard Webhooks (standardwebhooks.com) describes them: which URLs an endpoint may
// have, the body a receiver gets, and when an endpoint that keeps failing is disabled.
import { BlockList, isIP } from 'node:net';

export type UrlCheck = { ok: true; url: string } | { ok: false; message: string };

// Loopback, private (RFC 1918, RFC 4193), link-local and CGNAT ranges: a receiver on the operator's
// own network. Reachable only over plain http when the operator allows it (development, tests).
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('0.0.0.0', 8, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

/** Whether a URL's host is this machine or a private network (by name or address literal). */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 0) return false;
  const plain = host.startsWith('::ffff:') && isIP(host.slice(7)) === 4 ? host.slice(7) : host;
  return PRIVATE.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * An endpoint's URL: https to a public host; plain http, and private hosts, only when `allowHttp`
 * (WEBHOOK_ALLOW_HTTP) says the operator wants receivers on its own network.
 */
export function checkWebhookUrl(text: string, options: { allowHttp: boolean }): UrlCheck {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, message: 'Enter a full URL such as https://example.com/webhooks/didhub' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, message: 'The URL must start with https://' };
  if (url.username || url.password) return { ok: false, message: 'Leave user names and passwords out of the URL: each delivery is signed instead' };
  if (trimmed.length > 2000) return { ok: false, message: 'Use at most 2,000 characters' };
  const privateHost = isPrivateHost(url.hostname);
  if (url.protocol === 'http:') {
    if (!options.allowHttp) return { ok: false, message: 'The URL must start with https://' };
    if (!privateHost) return { ok: false, message: 'Plain http:// is allowed only to this machine or a private network address; use https://' };
  } else if (privateHost && !options.allowHttp) {
    return { ok: false, message: 'The URL must point to a public address, not this machine or a private network' };
  }
  url.hash = '';
  return { ok: true, url: url.toString() };
}

/** What an outbox row of the webhook channel carries: the body as sent, and the id the receiver dedupes on. */
export interface WebhookPayload {
  webhook_id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The Standard Webhooks body: `{type, timestamp, data}`. */
export function webhookPayload(webhookId: string, event: { type: string; occurredAt: Date; data: Record<string, unknown> }): WebhookPayload {
  return { webhook_id: webhookId, type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data };
}

/** The JSON a receiver gets: the payload without our bookkeeping (the id goes in the webhook-id header). */
export function webhookBodyText(payload: Record<string, unknown>): string {
  const { webhook_id: _id, ...body } = payload;
  return JSON.stringify(body);
}

/** At least this many failed tries in a row before the time rule can disable an endpoint. */
export const MIN_FAILURES_TO_DISABLE = 5;

export interface FailureState {
  consecutiveFailures: number;
  failingSince: Date | null;
}

/**
 * An endpoint is disabled when its tries have failed without one success for `disableAfterHours`
 * (and at least MIN_FAILURES_TO_DISABLE tries): one message's full retry schedule (about 27.6 h)
 * is enough, a receiver down for an afternoon is not. A 410 Gone disables it at once.
 */
export function disableReason(state: FailureState, now: Date, options: { disableAfterHours: number; responseCode?: number | undefined }): string | undefined {
  if (options.responseCode === 410) return 'The receiver answered 410 Gone: it asked for no more deliveries.';
  if (!state.failingSince || state.consecutiveFailures < MIN_FAILURES_TO_DISABLE) return undefined;
  const hours = (now.getTime() - state.failingSince.getTime()) / 3_600_000;
  if (hours < options.disableAfterHours) return undefined;
  return `Every delivery failed for ${Math.floor(hours)} hours (${state.consecutiveFailures} tries in a row) since ${state.failingSince.toISOString()}.`;
}
