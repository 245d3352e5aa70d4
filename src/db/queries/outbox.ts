// The outbox as the pages list it: newest first, filtered, a page at a time, with a count.
import type { Knex } from 'knex';
import type { Db } from '../knex.ts';
import { toMessage, type OutboxChannel, type OutboxMessageRow, type OutboxStatus } from '../outbox.ts';

export interface OutboxFilters {
  channel?: OutboxChannel | undefined;
  status?: OutboxStatus | undefined;
  event?: string | undefined;
  accountId?: number | undefined;
  endpointId?: number | undefined;
  /** Part of the recipient (an address, a URL). */
  recipient?: string | undefined;
}

export interface OutboxListRow extends OutboxMessageRow {
  account_name: string | null;
}

function filtered(db: Db, filters: OutboxFilters): Knex.QueryBuilder {
  const query = db('outbox_messages as m');
  if (filters.channel) query.where('m.channel', filters.channel);
  if (filters.status) query.where('m.status', filters.status);
  if (filters.event) query.where('m.event', filters.event);
  if (filters.accountId !== undefined) query.where('m.account_id', filters.accountId);
  if (filters.endpointId !== undefined) query.where('m.endpoint_id', filters.endpointId);
  if (filters.recipient) query.whereRaw(`strpos(lower(m.recipient), lower(?)) > 0`, [filters.recipient]);
  return query;
}

export async function listOutboxMessages(
  db: Db,
  filters: OutboxFilters,
  window: { limit: number; offset: number },
): Promise<{ rows: OutboxListRow[]; total: number }> {
  const [countRow] = (await filtered(db, filters).count<Array<{ count: string | number }>>({ count: '*' })) as Array<{ count: string | number }>;
  const rows = (await filtered(db, filters)
    .leftJoin('accounts as a', 'a.id', 'm.account_id')
    .orderBy('m.id', 'desc')
    .limit(window.limit)
    .offset(window.offset)
    .select('m.*', 'a.name as account_name')) as OutboxListRow[];
  return { rows: rows.map((row) => ({ ...toMessage(row), account_name: row.account_name })), total: Number(countRow?.count ?? 0) };
}

/** The filtered messages, newest first, before the message `beforeId`: how the CSV export streams. */
export async function listOutboxBatch(db: Db, filters: OutboxFilters, beforeId: number | undefined, limit: number): Promise<OutboxListRow[]> {
  const query = filtered(db, filters).leftJoin('accounts as a', 'a.id', 'm.account_id').orderBy('m.id', 'desc').limit(limit).select('m.*', 'a.name as account_name');
  if (beforeId !== undefined) query.where('m.id', '<', beforeId);
  const rows = (await query) as OutboxListRow[];
  return rows.map((row) => ({ ...toMessage(row), account_name: row.account_name }));
}

/** Counts per status, for the dashboard and the page's tabs. */
export async function countOutboxByStatus(db: Db, channel?: OutboxChannel): Promise<Record<OutboxStatus, number>> {
  const query = db('outbox_messages').select('status').count<Array<{ status: OutboxStatus; count: string | number }>>({ count: '*' }).groupBy('status');
  if (channel) query.where({ channel });
  const rows = (await query) as Array<{ status: OutboxStatus; count: string | number }>;
  const counts: Record<OutboxStatus, number> = { pending: 0, delivered: 0, failed: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}
