// Concurrency slots: one row per authorised call in progress (see the calls migration).
import type { Db } from '../knex.ts';

export interface NewCallSlot {
  call_uuid: string;
  product_id: number;
  account_id: number;
  reseller_id: number | null;
  switch_id: number | null;
  created_at: Date;
  expires_at: Date;
}

export interface SlotCounts {
  did: number;
  owner: number;
  reseller: number;
  /** This call already holds a slot: the switch asked again for the same call. */
  held: boolean;
}

export interface SlotLimits {
  /** 0 = unlimited, as everywhere. */
  did: number;
  owner: number;
  reseller: number;
}

/**
 * A slot is a short-lived counter, not money, so its transaction commits without waiting for the
 * disk flush (synchronous_commit off for this transaction only, set in the same statement). A crash
 * could forget the slots of its last milliseconds; those calls end with the crash or expire anyway.
 *
 * Counts the live (unexpired) slots on the number, on the owner and on its reseller, and takes a
 * slot for the call if every limit leaves room: one statement, run after the rows are locked. An
 * account's calls are those to numbers it owns and, for a reseller, its customers' numbers too.
 * Only the limits that apply are counted (0 = unlimited is not), each through its own index, so a
 * reseller with thousands of calls in progress does not make every route request count them all.
 */
export async function takeSlotIfFree(db: Db, slot: NewCallSlot, limits: SlotLimits, now: Date): Promise<SlotCounts & { taken: boolean }> {
  const bindings: unknown[] = [];
  const countOf = (limit: number, accountId: number | null, column: 'product_id' | 'account'): string => {
    if (limit === 0 || accountId === null) return '0';
    if (column === 'product_id') {
      bindings.push(accountId, now);
      return '(SELECT count(*) FROM call_slots WHERE product_id = ? AND expires_at > ?)';
    }
    bindings.push(accountId, now, accountId, now);
    return '((SELECT count(*) FROM call_slots WHERE account_id = ? AND expires_at > ?) + (SELECT count(*) FROM call_slots WHERE reseller_id = ? AND expires_at > ?))';
  };
  const did = countOf(limits.did, slot.product_id, 'product_id');
  const owner = countOf(limits.owner, slot.account_id, 'account');
  const reseller = countOf(limits.reseller, slot.reseller_id, 'account');
  bindings.push(slot.call_uuid, now);
  bindings.push(slot.call_uuid, slot.product_id, slot.account_id, slot.reseller_id, slot.switch_id, slot.created_at, slot.expires_at);
  bindings.push(limits.did, limits.did, limits.owner, limits.owner, limits.reseller, limits.reseller);
  const result = (await db.raw(
    `WITH live AS (
       SELECT ${did} AS did, ${owner} AS owner, ${reseller} AS reseller,
              EXISTS (SELECT 1 FROM call_slots WHERE call_uuid = ? AND expires_at > ?) AS held
     ), taken AS (
       INSERT INTO call_slots (call_uuid, product_id, account_id, reseller_id, switch_id, created_at, expires_at)
       SELECT ?, ?, ?, ?::bigint, ?::bigint, ?, ? FROM live
        WHERE NOT held AND (?::int = 0 OR did < ?::int) AND (?::int = 0 OR owner < ?::int) AND (?::int = 0 OR reseller < ?::int)
       ON CONFLICT (call_uuid) DO NOTHING
       RETURNING 1
     )
     SELECT did, owner, reseller, held, (SELECT count(*) FROM taken) AS taken,
            set_config('synchronous_commit', 'off', true) AS relaxed
       FROM live`,
    bindings as never,
  )) as { rows: Array<{ did: unknown; owner: unknown; reseller: unknown; held: boolean; taken: unknown }> };
  const row = result.rows[0]!;
  return { did: Number(row.did), owner: Number(row.owner), reseller: Number(row.reseller), held: Boolean(row.held), taken: Number(row.taken) > 0 };
}

/** Inserts the slot; a retried request for the same call keeps the first one. */
export async function insertCallSlot(db: Db, slot: NewCallSlot): Promise<void> {
  await db('call_slots').insert(slot).onConflict('call_uuid').ignore();
}

// FOR NO KEY UPDATE: it queues concurrent route requests on the same row as FOR UPDATE would, but
// does not block the FOR KEY SHARE locks that foreign keys take (a CDR's call row references the
// product and the accounts), which would otherwise deadlock a route request against a CDR batch.
export async function lockProductRow(db: Db, productId: number): Promise<void> {
  await db.raw('SELECT id FROM products WHERE id = ? FOR NO KEY UPDATE', [productId]);
}

/** Locks accounts in id order, the order every call transaction uses, so they cannot deadlock. */
export async function lockAccountRows(db: Db, accountIds: number[]): Promise<Map<number, string>> {
  const balances = new Map<number, string>();
  if (accountIds.length === 0) return balances;
  const ids = [...new Set(accountIds)].sort((a, b) => a - b);
  const result = (await db.raw(`SELECT id, balance FROM accounts WHERE id IN (${ids.map(() => '?').join(', ')}) ORDER BY id FOR NO KEY UPDATE`, ids)) as {
    rows: Array<{ id: number; balance: string }>;
  };
  for (const row of result.rows) balances.set(Number(row.id), row.balance);
  return balances;
}

/** Frees the slots of calls whose CDRs arrived; returns the uuids that held one. */
export async function deleteCallSlots(db: Db, callUuids: string[]): Promise<string[]> {
  if (callUuids.length === 0) return [];
  const rows = (await db('call_slots').whereIn('call_uuid', callUuids).delete().returning('call_uuid')) as Array<{ call_uuid: string }>;
  return rows.map((row) => row.call_uuid);
}

/**
 * Drops the expired slots of these numbers (calls whose CDR never came). They no longer count;
 * this only keeps the table small, and the (product_id, expires_at) index makes it cheap.
 */
export async function deleteExpiredSlotsOf(db: Db, productIds: number[], now: Date): Promise<number> {
  if (productIds.length === 0) return 0;
  return db('call_slots').whereIn('product_id', productIds).where('expires_at', '<=', now).delete();
}
