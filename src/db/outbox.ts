// The durable outbox (mail and webhooks): written in the transaction of the change that causes a
// message, claimed by workers with a lease under SKIP LOCKED, so two workers never hold the same
// message and one that dies mid-delivery gives it back when its lease runs out.
import type { Db } from './knex.ts';

export type OutboxChannel = 'mail' | 'webhook';
export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface NewOutboxMessage {
  channel: OutboxChannel;
  event: string;
  accountId: number | null;
  recipient: string;
  endpointId?: number | null;
  payload: Record<string, unknown>;
  /** At most one message per channel and key: a second enqueue with the same key is dropped. */
  dedupeKey?: string | null;
  /** Not before this moment (default: now). */
  notBefore?: Date;
}

export interface OutboxMessageRow {
  id: number;
  channel: OutboxChannel;
  event: string;
  account_id: number | null;
  recipient: string;
  endpoint_id: number | null;
  payload: Record<string, unknown>;
  dedupe_key: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date;
  locked_until: Date | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  failed_at: Date | null;
}

export interface OutboxAttemptRow {
  id: number;
  message_id: number;
  attempted_at: Date;
  ok: boolean;
  response_code: number | null;
  detail: string | null;
  duration_ms: number;
}

/** Writes messages (in the caller's transaction); returns the ids of those written, dedupe skips left out. */
export async function enqueueOutboxMessages(db: Db, messages: NewOutboxMessage[], now: Date): Promise<number[]> {
  if (messages.length === 0) return [];
  const rows = messages.map((message) => ({
    channel: message.channel,
    event: message.event,
    account_id: message.accountId,
    recipient: message.recipient,
    endpoint_id: message.endpointId ?? null,
    payload: JSON.stringify(message.payload),
    dedupe_key: message.dedupeKey ?? null,
    next_attempt_at: message.notBefore ?? now,
    created_at: now,
  }));
  const inserted = (await db('outbox_messages')
    .insert(rows)
    .onConflict(db.raw('(channel, dedupe_key) WHERE dedupe_key IS NOT NULL'))
    .ignore()
    .returning('id')) as Array<{ id: number }>;
  return inserted.map((row) => row.id);
}

/**
 * Claims up to `limit` due messages of a channel for `leaseSeconds`: each claim counts as an
 * attempt. Rows another worker holds (locked, or leased and not expired) are skipped, not waited for.
 */
export async function claimOutboxMessages(
  db: Db,
  channel: OutboxChannel,
  options: { limit: number; leaseSeconds: number; now: Date },
): Promise<OutboxMessageRow[]> {
  const { limit, leaseSeconds, now } = options;
  const result = (await db.raw(
    `UPDATE outbox_messages AS m
        SET attempts = m.attempts + 1,
            locked_until = ?::timestamptz + ?::float8 * interval '1 second'
      WHERE m.id IN (
        SELECT id FROM outbox_messages
         WHERE channel = ? AND status = 'pending' AND next_attempt_at <= ?
           AND (locked_until IS NULL OR locked_until <= ?)
         ORDER BY next_attempt_at, id
         LIMIT ?
         FOR UPDATE SKIP LOCKED)
      RETURNING m.*`,
    [now, leaseSeconds, channel, now, now, limit],
  )) as { rows: OutboxMessageRow[] };
  return result.rows.map(toMessage).sort((a, b) => a.id - b.id);
}

// jsonb comes back parsed on pg; PGlite may hand back text.
export function toMessage(row: OutboxMessageRow): OutboxMessageRow {
  const payload = row.payload as unknown;
  return typeof payload === 'string' ? { ...row, payload: JSON.parse(payload) as Record<string, unknown> } : row;
}

export interface OutboxAttempt {
  ok: boolean;
  responseCode?: number | null;
  detail?: string | null;
  durationMs: number;
  at: Date;
}

async function recordAttempt(db: Db, messageId: number, attempt: OutboxAttempt): Promise<void> {
  await db('outbox_attempts').insert({
    message_id: messageId,
    attempted_at: attempt.at,
    ok: attempt.ok,
    response_code: attempt.responseCode ?? null,
    detail: attempt.detail?.slice(0, 2000) ?? null,
    duration_ms: Math.max(0, Math.round(attempt.durationMs)),
  });
}

export async function markOutboxDelivered(db: Db, messageId: number, attempt: OutboxAttempt): Promise<void> {
  await recordAttempt(db, messageId, attempt);
  await db('outbox_messages')
    .where({ id: messageId })
    .update({ status: 'delivered', delivered_at: attempt.at, locked_until: null, last_error: null });
}

/** A failed try: due again at `retryAt`, or failed for good when there is none. */
export async function markOutboxAttemptFailed(db: Db, messageId: number, attempt: OutboxAttempt, retryAt: Date | undefined): Promise<void> {
  await recordAttempt(db, messageId, attempt);
  const error = attempt.detail?.slice(0, 2000) ?? 'delivery failed';
  await db('outbox_messages')
    .where({ id: messageId })
    .update(
      retryAt
        ? { next_attempt_at: retryAt, locked_until: null, last_error: error }
        : { status: 'failed', failed_at: attempt.at, locked_until: null, last_error: error },
    );
}

/** "Retry" / "Resend": the message is due again now, whatever its status (a delivered webhook is sent again with the same id). */
export async function requeueOutboxMessage(db: Db, messageId: number, now: Date): Promise<boolean> {
  const updated = await db('outbox_messages')
    .where({ id: messageId })
    .update({ status: 'pending', next_attempt_at: now, locked_until: null, failed_at: null });
  return updated > 0;
}

export async function findOutboxMessage(db: Db, messageId: number): Promise<OutboxMessageRow | undefined> {
  const row = (await db('outbox_messages').where({ id: messageId }).first()) as OutboxMessageRow | undefined;
  return row && toMessage(row);
}

export async function listOutboxAttempts(db: Db, messageId: number): Promise<OutboxAttemptRow[]> {
  return (await db('outbox_attempts').where({ message_id: messageId }).orderBy('id', 'desc')) as OutboxAttemptRow[];
}

/**
 * Deletes up to `limit` messages delivered or failed before `before`, with their attempts (the
 * foreign key cascades); pending ones are never touched. Found through outbox_messages_settled_idx
 * (the same expression and condition). Returns how many went (rowCount on Postgres, affectedRows
 * on the embedded one).
 */
export async function deleteSettledOutboxMessages(db: Db, options: { before: Date; limit: number }): Promise<number> {
  const result = (await db.raw(
    `DELETE FROM outbox_messages
      WHERE id IN (
        SELECT id FROM outbox_messages
         WHERE status IN ('delivered', 'failed') AND coalesce(delivered_at, failed_at) < ?
         LIMIT ?
         FOR UPDATE SKIP LOCKED)`,
    [options.before, options.limit],
  )) as { rowCount?: number; affectedRows?: number };
  return result.rowCount ?? result.affectedRows ?? 0;
}
