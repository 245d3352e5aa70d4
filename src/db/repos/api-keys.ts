// API keys (stored as the SHA-256 of their secret), their request log and their rate-limit bucket.
import type { Db } from '../knex.ts';

export interface ApiKeyRow {
  id: number;
  account_id: number;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: string[];
  allowed_ips: string[];
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

const COLUMNS = ['id', 'account_id', 'name', 'prefix', 'secret_hash', 'scopes', 'allowed_ips', 'expires_at', 'last_used_at', 'revoked_at', 'created_at'];

export type NewApiKey = Pick<ApiKeyRow, 'account_id' | 'name' | 'prefix' | 'secret_hash' | 'scopes' | 'allowed_ips' | 'expires_at' | 'created_at'>;

export async function insertApiKey(db: Db, key: NewApiKey): Promise<ApiKeyRow> {
  const [row] = (await db('api_keys')
    .insert({ ...key, scopes: JSON.stringify(key.scopes), allowed_ips: JSON.stringify(key.allowed_ips) })
    .returning(COLUMNS)) as ApiKeyRow[];
  return row!;
}

export async function findApiKeyByHash(db: Db, secretHash: string): Promise<ApiKeyRow | undefined> {
  return db('api_keys').where({ secret_hash: secretHash }).first(COLUMNS) as Promise<ApiKeyRow | undefined>;
}

export async function listApiKeys(db: Db, accountId: number): Promise<ApiKeyRow[]> {
  return db('api_keys').where({ account_id: accountId }).orderBy('id', 'desc').select(COLUMNS) as Promise<ApiKeyRow[]>;
}

/** Revokes the account's key; false when it has no such key or it was revoked already. */
export async function revokeApiKey(db: Db, accountId: number, id: number, now: Date): Promise<boolean> {
  const count = await db('api_keys').where({ id, account_id: accountId }).whereNull('revoked_at').update({ revoked_at: now });
  return Number(count) > 0;
}

export interface Bucket {
  allowed: boolean;
  /** Tokens left after this request (fractional). */
  tokens: number;
}

/**
 * Takes one token from the key's bucket (refilled at `rate` a second up to `burst`) and stamps its
 * last use, in one statement under the key's row lock: every instance counts in the same row.
 */
export async function takeRateToken(db: Db, keyId: number, rate: number, burst: number, now: Date): Promise<Bucket> {
  const result = await db.raw(
    `WITH current AS (
       SELECT id, LEAST(?::float8, COALESCE(rate_tokens, ?::float8)
         + GREATEST(0, EXTRACT(EPOCH FROM (?::timestamptz - COALESCE(rate_updated_at, ?::timestamptz))))::float8 * ?::float8) AS refilled
       FROM api_keys WHERE id = ? FOR UPDATE
     )
     UPDATE api_keys k
        SET rate_tokens = CASE WHEN current.refilled >= 1 THEN current.refilled - 1 ELSE current.refilled END,
            rate_updated_at = GREATEST(COALESCE(k.rate_updated_at, ?::timestamptz), ?::timestamptz),
            last_used_at = ?::timestamptz
       FROM current
      WHERE k.id = current.id
     RETURNING current.refilled >= 1 AS allowed, k.rate_tokens AS tokens`,
    [burst, burst, now, now, rate, keyId, now, now, now],
  );
  const row = (result.rows as Array<{ allowed: boolean; tokens: number | string }>)[0];
  return row ? { allowed: row.allowed, tokens: Number(row.tokens) } : { allowed: false, tokens: 0 };
}

export interface ApiRequestEntry {
  key_id: number;
  account_id: number;
  method: string;
  route: string;
  status: number;
  ip: string | null;
  created_at: Date;
}

export async function insertApiRequest(db: Db, entry: ApiRequestEntry): Promise<void> {
  await db('api_requests').insert(entry);
}

export async function listApiRequests(db: Db, keyId: number, limit: number): Promise<ApiRequestEntry[]> {
  return db('api_requests').where({ key_id: keyId }).orderBy('id', 'desc').limit(limit).select('key_id', 'account_id', 'method', 'route', 'status', 'ip', 'created_at');
}
