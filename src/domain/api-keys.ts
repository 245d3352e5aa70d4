// API keys: their scopes, the secret's shape, and the address rule. Pure: hashing and randomness
// are done by the caller (services/api-keys.ts).
import { BlockList, isIP } from 'node:net';

export const API_SCOPES = ['numbers:read', 'numbers:write', 'calls:read', 'billing:read', 'webhooks:write', 'inventory:read', 'inventory:write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Scopes of the admin's inventory endpoints: only an admin account's keys may have them. */
export const ADMIN_SCOPES: readonly ApiScope[] = ['inventory:read', 'inventory:write'];

export const API_SCOPE_LABELS: Record<ApiScope, string> = {
  'numbers:read': 'Search and read numbers, holds and orders',
  'numbers:write': 'Hold, buy, forward and release numbers',
  'calls:read': 'Read calls',
  'billing:read': 'Read balance and transactions',
  'webhooks:write': 'Manage webhook endpoints',
  'inventory:read': 'Read the DID inventory (admin)',
  'inventory:write': 'Create, change and delete DIDs in the inventory (admin)',
};

/** The scopes a key of an account with this role may have. */
export function scopesForRole(role: string): ApiScope[] {
  return API_SCOPES.filter((scope) => role === 'admin' || !ADMIN_SCOPES.includes(scope));
}

export const KEY_PREFIX = 'dh_live_';
const SECRET = /^dh_live_[A-Za-z0-9_-]{32,64}$/;

export function looksLikeApiKey(token: string): boolean {
  return SECRET.test(token);
}

/** What lists show of a key: the prefix and its first 6 characters. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + 6);
}

/** An address, or a CIDR range (IPv4 or IPv6); the message when it is neither. */
export function allowedIpProblem(entry: string): string | undefined {
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || extra !== undefined) return `${entry} is not an IP address or CIDR range`;
  if (bits === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `${entry} has a bad prefix length (0 to ${max})`;
  return undefined;
}

function normalIp(ip: string): string {
  // Express gives IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d.
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** Whether `ip` is one of the allowed addresses or ranges (an empty list allows every address). */
export function ipAllowed(allowed: readonly string[], ip: string | undefined): boolean {
  if (allowed.length === 0) return true;
  if (!ip) return false;
  const address = normalIp(ip);
  const family = isIP(address);
  if (!family) return false;
  const list = new BlockList();
  for (const entry of allowed) {
    const [base, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(base) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(base, type);
    else list.addSubnet(base, Number(bits), type);
  }
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}
