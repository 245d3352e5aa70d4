// The answers of requests sent with an Idempotency-Key: one row per account and key, written in the
// transaction of the request's change, so a concurrent twin waits on its primary key and replays.
import type { Db } from '../knex.ts';

export interface IdempotencyRow {
  account_id: number;
  key: string;
  request_hash: string;
  status: number | null;
  response: unknown;
  created_at: Date;
}

/** Claims the key for this request; undefined when it was claimed before (the caller reads that row). Waits for a concurrent claim to commit. */
export async function claimIdempotencyKey(db: Db, accountId: number, key: string, requestHash: string, now: Date): Promise<boolean> {
  const rows = (await db('api_idempotency_keys')
    .insert({ account_id: accountId, key, request_hash: requestHash, created_at: now })
    .onConflict(['account_id', 'key'])
    .ignore()
    .returning('key')) as unknown[];
  return rows.length > 0;
}

export async function findIdempotencyKey(db: Db, accountId: number, key: string): Promise<IdempotencyRow | undefined> {
  return db('api_idempotency_keys').where({ account_id: accountId, key }).first();
}

export async function storeIdempotentAnswer(db: Db, accountId: number, key: string, status: number, response: unknown): Promise<void> {
  await db('api_idempotency_keys').where({ account_id: accountId, key }).update({ status, response: JSON.stringify(response) });
}
