// Webhooks as Standard Webhooks (standardwebhooks.com) describes them: which URLs an endpoint may
// have, the body a receiver gets, and when an endpoint that keeps failing is disabled.
import { BlockList, isIP } from 'node:net';

export type UrlCheck = { ok: true; url: string } | { ok: false; message: string };

// Addresses a webhook must not reach unless the operator allows receivers on its own network:
// this machine (loopback, unspecified), private networks (RFC 1918, RFC 4193 unique local, CGNAT),
// link-local (cloud metadata at 169.254.169.254 among them), and multicast, broadcast and reserved
// ranges that no public receiver has.
const PRIVATE_V4 = new BlockList();
for (const [base, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  PRIVATE_V4.addSubnet(base, bits, 'ipv4');
}
const PRIVATE_V6 = new BlockList();
for (const [base, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['100::', 64]] as const) {
  PRIVATE_V6.addSubnet(base, bits, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail read as two groups). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0]!;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const middle = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => parseInt(group, 16));
}

function ipv4Of(high: number, low: number): string {
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/**
 * The IPv4 address an IPv6 address carries, where the network would deliver to it: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
 */
function embeddedIpv4(groups: number[]): string | undefined {
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && groups[5] === 0xffff) return ipv4Of(groups[6]!, groups[7]!);
  if (zeros(0, 6) && (groups[6] !== 0 || groups[7]! > 1)) return ipv4Of(groups[6]!, groups[7]!);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return ipv4Of(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return ipv4Of(groups[1]!, groups[2]!);
  return undefined;
}

/** Whether an IP address (v4 or v6, mapped forms too) is this machine, a private network, link-local or otherwise not public; a non-address is treated as private. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address.split('%')[0]!);
  if (family === 4) return PRIVATE_V4.check(address, 'ipv4');
  if (family !== 6) return true;
  const groups = ipv6Groups(address);
  const v4 = embeddedIpv4(groups);
  if (v4 !== undefined) return PRIVATE_V4.check(v4, 'ipv4');
  return PRIVATE_V6.check(groups.map((group) => group.toString(16)).join(':'), 'ipv6');
}

/** Whether a URL's host is this machine or a private network (by name or address literal). */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 0) return false;
  return isPrivateAddress(host);
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
