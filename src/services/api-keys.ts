// API keys: created with a random secret shown once (only its SHA-256 is kept), listed by prefix
// and last use, revoked at once; a request's key is checked for revocation, expiry, its account's
// status and its allowed addresses.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { findAccountById, type AccountRow } from '../db/repos/accounts.ts';
import { findApiKeyByHash, insertApiKey, listApiKeys, revokeApiKey, type ApiKeyRow } from '../db/repos/api-keys.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { inTransaction } from '../db/transaction.ts';
import { KEY_PREFIX, displayPrefix, ipAllowed, looksLikeApiKey, scopesForRole, type ApiScope } from '../domain/api-keys.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.ts';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface NewKeyInput {
  accountId: number;
  name: string;
  scopes: ApiScope[];
  expiresAt: Date | null;
  allowedIps: string[];
  now: Date;
}

/** The new key and its secret: the only time the secret exists outside the caller's hands. */
export async function createApiKey(db: Db, input: NewKeyInput): Promise<{ key: ApiKeyRow; secret: string }> {
  const secret = `${KEY_PREFIX}${randomBytes(30).toString('base64url')}`;
  return inTransaction(db, async (trx) => {
    const account = await findAccountById(trx, input.accountId);
    if (!account) throw new NotFoundError('Account not found');
    const allowed = scopesForRole(account.role);
    const refused = input.scopes.filter((scope) => !allowed.includes(scope));
    if (refused.length > 0) throw new ValidationError(`Only admin keys may have ${refused.join(', ')}`, { scopes: `Only admin keys may have ${refused.join(', ')}` });
    const key = await insertApiKey(trx, {
      account_id: input.accountId,
      name: input.name,
      prefix: displayPrefix(secret),
      secret_hash: hashSecret(secret),
      scopes: [...new Set(input.scopes)],
      allowed_ips: input.allowedIps,
      expires_at: input.expiresAt,
      created_at: input.now,
    });
    await insertAuditEntry(trx, {
      actorId: input.accountId, action: 'api_key.create', entityType: 'api_key', entityId: key.id,
      after: { name: key.name, prefix: key.prefix, scopes: key.scopes, allowed_ips: key.allowed_ips, expires_at: key.expires_at }, at: input.now,
    });
    return { key, secret };
  });
}

export async function listAccountKeys(db: Db, accountId: number): Promise<ApiKeyRow[]> {
  return listApiKeys(db, accountId);
}

export async function revokeAccountKey(db: Db, accountId: number, keyId: number, now: Date): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (!(await revokeApiKey(trx, accountId, keyId, now))) throw new NotFoundError('No such key');
    await insertAuditEntry(trx, { actorId: accountId, action: 'api_key.revoke', entityType: 'api_key', entityId: keyId, after: { revoked_at: now }, at: now });
  });
}

export interface ApiCaller {
  key: ApiKeyRow;
  account: AccountRow;
}

/** The key and account behind a bearer token; 401 for an unknown, revoked or expired key, 403 from an address it does not allow. */
export async function authenticateApiKey(db: Db, token: string | undefined, ip: string | undefined, now: Date): Promise<ApiCaller> {
  if (!token || !looksLikeApiKey(token)) throw new UnauthorizedError('Send an API key: Authorization: Bearer dh_live_…');
  const key = await findApiKeyByHash(db, hashSecret(token));
  if (!key || key.revoked_at !== null) throw new UnauthorizedError('This API key is not valid (unknown or revoked)');
  if (key.expires_at !== null && key.expires_at.getTime() <= now.getTime()) throw new UnauthorizedError('This API key has expired');
  const account = await findAccountById(db, key.account_id);
  if (!account || account.status !== 'active') throw new UnauthorizedError('The account of this API key is not active');
  if (!ipAllowed(key.allowed_ips, ip)) throw new ForbiddenError(`This API key may not be used from ${ip ?? 'an unknown address'}`);
  return { key, account };
}
