// Idempotency-Key with Stripe's semantics: the first request with a key does its work and its
// answer is stored in the same transaction; the same key with the same request gets that answer
// again (a concurrent twin waits for the first to commit, then replays it); the same key with
// another request is refused (422). A request that failed stored nothing, so it may be retried.
import type { Db } from '../db/knex.ts';
import { inTransaction, type Transaction } from '../db/transaction.ts';
import { claimIdempotencyKey, findIdempotencyKey, storeIdempotentAnswer } from '../db/repos/api-idempotency.ts';
import { ConflictError, UnprocessableError } from '../errors.ts';

export interface Answer {
  status: number;
  body: unknown;
}

export async function answerOnce(
  db: Db,
  request: { accountId: number; key: string; requestHash: string; now: Date },
  work: (trx: Transaction) => Promise<Answer>,
): Promise<Answer & { replayed: boolean }> {
  return inTransaction(db, async (trx) => {
    const claimed = await claimIdempotencyKey(trx, request.accountId, request.key, request.requestHash, request.now);
    if (!claimed) {
      const earlier = await findIdempotencyKey(trx, request.accountId, request.key);
      if (!earlier || earlier.status === null) throw new ConflictError('A request with this Idempotency-Key is in progress');
      if (earlier.request_hash !== request.requestHash) {
        throw new UnprocessableError('This Idempotency-Key was used with another request: send a new key for a new request');
      }
      return { status: earlier.status, body: earlier.response, replayed: true };
    }
    const answer = await work(trx);
    await storeIdempotentAnswer(trx, request.accountId, request.key, answer.status, answer.body);
    return { ...answer, replayed: false };
  });
}
