// What the Outbox page does: read a message with its delivery log, and send a failed one again.
import type { Db } from '../db/knex.ts';
import { findOutboxMessage, listOutboxAttempts, requeueOutboxMessage, type OutboxAttemptRow, type OutboxMessageRow } from '../db/outbox.ts';
import { ConflictError, NotFoundError } from '../errors.ts';

export async function loadOutboxMessage(db: Db, messageId: number): Promise<{ message: OutboxMessageRow; attempts: OutboxAttemptRow[] }> {
  const message = await findOutboxMessage(db, messageId);
  if (!message) throw new NotFoundError('There is no such message');
  return { message, attempts: await listOutboxAttempts(db, messageId) };
}

/** "Retry": a failed message is due again now (the worker sends it on its next round). */
export async function retryFailedMessage(db: Db, messageId: number, now: Date): Promise<OutboxMessageRow> {
  const message = await findOutboxMessage(db, messageId);
  if (!message) throw new NotFoundError('There is no such message');
  if (message.status !== 'failed') throw new ConflictError('Only a failed message can be retried');
  await requeueOutboxMessage(db, messageId, now);
  return message;
}
