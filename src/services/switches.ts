// Switch registration and access: each switch has a random token, of which only a SHA-256 hash is
// stored, and an optional list of addresses (IPs or CIDRs) it may call from.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { createHash, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { findSwitchById, findSwitchByTokenHash, insertSwitch, touchSwitch, updateSwitch, type SwitchRow } from '../db/repos/switches.ts';
import { NotFoundError, UnauthorizedError, ValidationError } from '../errors.ts';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newToken(): string {
  return `dh_${randomBytes(32).toString('base64url')}`;
}

export type AddressListResult = { ok: true; addresses: string[] } | { ok: false; message: string };

/** Parses the allowed addresses as typed (one per line, or separated by commas or spaces). */
export function parseAddressList(text: string): AddressListResult {
  const entries = text.split(/[\s,]+/).map((e) => e.trim()).filter(Boolean);
  const addresses: string[] = [];
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || extra !== undefined) return { ok: false, message: `"${entry}" is not an IP address or a CIDR range like 192.0.2.0/24` };
    if (bits !== undefined) {
      const max = family === 4 ? 32 : 128;
      if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return { ok: false, message: `"${entry}": the prefix length must be 0 to ${max}` };
    }
    if (!addresses.includes(entry)) addresses.push(entry);
  }
  return { ok: true, addresses };
}

function blockListOf(addresses: string[]): BlockList {
  const list = new BlockList();
  for (const entry of addresses) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/** Whether a request from `ip` may use a switch with these allowed addresses (empty = any). */
export function isAddressAllowed(addresses: string[], ip: string | undefined): boolean {
  if (addresses.length === 0) return true;
  if (!ip) return false;
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(plain);
  if (family === 0) return false;
  return blockListOf(addresses).check(plain, family === 6 ? 'ipv6' : 'ipv4');
}

export interface SwitchInput {
  name: string;
  allowedAddresses: string;
}

export async function registerSwitch(db: Db, input: SwitchInput, actorId: number, now: Date): Promise<{ row: SwitchRow; token: string }> {
  const parsed = parseAddressList(input.allowedAddresses);
  if (!parsed.ok) throw new ValidationError('Check the allowed addresses', { allowed_addresses: parsed.message });
  const token = newToken();
  return inTransaction(db, async (trx) => {
    const row = await insertSwitch(trx, {
      name: input.name.trim(), token_hash: hashToken(token), token_hint: token.slice(-4), allowed_addresses: parsed.addresses,
      status: 'active', created_by: actorId, created_at: now, updated_at: now,
    });
    await insertAuditEntry(trx, {
      actorId, action: 'switch.create', entityType: 'switch', entityId: row.id, at: now,
      after: { name: row.name, allowed_addresses: parsed.addresses, token_hint: row.token_hint },
    });
    return { row, token };
  });
}

export async function changeSwitch(
  db: Db,
  id: number,
  change: { status: 'active' | 'disabled' } | { rotateToken: true } | { allowedAddresses: string },
  actorId: number,
  now: Date,
): Promise<{ row: SwitchRow; token?: string }> {
  return inTransaction(db, async (trx) => {
    const before = await findSwitchById(trx, id);
    if (!before) throw new NotFoundError('There is no such switch');
    let token: string | undefined;
    let action: string;
    if ('status' in change) {
      await updateSwitch(trx, id, { status: change.status, updated_at: now });
      action = change.status === 'active' ? 'switch.enable' : 'switch.disable';
    } else if ('rotateToken' in change) {
      token = newToken();
      await updateSwitch(trx, id, { token_hash: hashToken(token), token_hint: token.slice(-4), updated_at: now });
      action = 'switch.rotate_token';
    } else {
      const parsed = parseAddressList(change.allowedAddresses);
      if (!parsed.ok) throw new ValidationError('Check the allowed addresses', { allowed_addresses: parsed.message });
      await updateSwitch(trx, id, { allowed_addresses: parsed.addresses, updated_at: now });
      action = 'switch.update_addresses';
    }
    const after = (await findSwitchById(trx, id))!;
    const view = (row: SwitchRow) => ({ name: row.name, status: row.status, allowed_addresses: row.allowed_addresses, token_hint: row.token_hint });
    await insertAuditEntry(trx, { actorId, action, entityType: 'switch', entityId: id, before: view(before), after: view(after), at: now });
    forgetCachedSwitches();
    return token ? { row: after, token } : { row: after };
  });
}

// Route requests come in hundreds a second: a switch found by its token is reused for a few
// seconds rather than read again. A disabled switch or a new token takes effect within that time
// on other app instances, at once on this one.
const CACHE_MS = 5_000;
// Each entry remembers the addresses it judged, so a switch's requests do not parse its allowed
// list again each time.
const cache = new Map<string, { row: SwitchRow | undefined; at: number; addresses: Map<string, boolean> }>();
const lastTouched = new Map<number, number>();

export function forgetCachedSwitches(): void {
  cache.clear();
}

/** The active switch a token belongs to, if it calls from an allowed address; UnauthorizedError if not. */
export async function authenticateSwitch(db: Db, token: string | undefined, ip: string | undefined, now: Date): Promise<SwitchRow> {
  if (!token) throw new UnauthorizedError('A switch token is required: Authorization: Bearer <token>, or HTTP Basic with the token as password');
  const hash = hashToken(token);
  const clock = Date.now();
  let entry = cache.get(hash);
  if (!entry || clock - entry.at > CACHE_MS) {
    entry = { row: await findSwitchByTokenHash(db, hash), at: clock, addresses: new Map() };
    if (cache.size > 1000) cache.clear();
    cache.set(hash, entry);
  }
  const row = entry.row;
  if (!row || row.status !== 'active') throw new UnauthorizedError('This switch token is not valid');
  let allowed = entry.addresses.get(ip ?? '');
  if (allowed === undefined) {
    allowed = isAddressAllowed(row.allowed_addresses, ip);
    if (entry.addresses.size < 1000) entry.addresses.set(ip ?? '', allowed);
  }
  if (!allowed) throw new UnauthorizedError(`This switch may not call from ${ip ?? 'an unknown address'}`);
  // last_seen_at is a hint for the operator: written at most once a minute per switch.
  if (clock - (lastTouched.get(row.id) ?? 0) > 60_000) {
    lastTouched.set(row.id, clock);
    await touchSwitch(db, row.id, now);
  }
  return row;
}
