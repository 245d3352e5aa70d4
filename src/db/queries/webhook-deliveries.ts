// An endpoint's delivery log: its outbox messages (listed by queries/outbox.ts) and their tries.
import type { Db } from '../knex.ts';
import { toMessage, type OutboxAttemptRow, type OutboxMessageRow } from '../outbox.ts';

/** The tries of these messages, newest first, grouped by message. */
export async function listAttemptsOfMessages(db: Db, messageIds: number[]): Promise<Map<number, OutboxAttemptRow[]>> {
  const byMessage = new Map<number, OutboxAttemptRow[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = (await db('outbox_attempts').whereIn('message_id', messageIds).orderBy('id', 'desc')) as OutboxAttemptRow[];
  for (const row of rows) {
    const list = byMessage.get(Number(row.message_id)) ?? [];
    list.push(row);
    byMessage.set(Number(row.message_id), list);
  }
  return byMessage;
}

/** A webhook message of this endpoint of this account, or nothing (another tenant's id finds nothing). */
export async function findEndpointMessage(db: Db, accountId: number, endpointId: number, messageId: number): Promise<OutboxMessageRow | undefined> {
  const row = (await db('outbox_messages as m')
    .join('webhook_endpoints as e', 'e.id', 'm.endpoint_id')
    .where({ 'm.id': messageId, 'm.channel': 'webhook', 'e.id': endpointId, 'e.account_id': accountId })
    .first('m.*')) as OutboxMessageRow | undefined;
  return row && toMessage(row);
}
