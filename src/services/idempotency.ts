// Idempotency-Key with Stripe's semantics: the first request with a key does its work and its
// answer is stored in the same transaction; the same key with the same request gets that answer
// again (a concurrent twin waits for the first to commit, then replays it); the same key with
// another request is refused (422). Once the work has started, its result is saved whatever it is:
// a refusal such as 402 (insufficient funds) or 409 (number taken) replays as it was, so a retry
// never turns a refused order into a charged one later. Not saved, so the key may be used again:
// bad input (400, 422: nothing was attempted), a twin still in flight (409 before the work), and
// unexpected errors (the whole transaction rolls back).
import type { Db } from '../db/knex.ts';
import { inSavepoint, inTransaction, type Transaction } from '../db/transaction.ts';
import { claimIdempotencyKey, findIdempotencyKey, storeIdempotentAnswer } from '../db/repos/api-idempotency.ts';
import { AppError, ConflictError, UnprocessableError } from '../errors.ts';

export interface Answer {
  status: number;
  body: unknown;
}

/** A refusal the work decided on (saved), as opposed to bad input or a crash (not saved). */
export function isSavedFailure(error: unknown): error is AppError {
  return error instanceof AppError && error.status !== 400 && error.status !== 422 && error.status < 500;
}

export async function answerOnce(
  db: Db,
  request: { accountId: number; key: string; requestHash: string; now: Date },
  work: (trx: Transaction) => Promise<Answer>,
  /** The answer a saved failure gets (the API's problem details). */
  failureAnswer: (error: AppError) => Answer,
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
    let answer: Answer;
    try {
      // In a savepoint: a refusal undoes the work's own writes and keeps the claim, to save the refusal under it.
      answer = await inSavepoint(trx, work);
    } catch (error) {
      if (!isSavedFailure(error)) throw error;
      answer = failureAnswer(error);
    }
    await storeIdempotentAnswer(trx, request.accountId, request.key, answer.status, answer.body);
    return { ...answer, replayed: false };
  });
}
