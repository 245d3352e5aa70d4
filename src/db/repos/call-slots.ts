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

/**
 * Live (unexpired) slots on the number, on the owner and on its reseller. An account's calls are
 * those to numbers it owns and, for a reseller, those to its customers' numbers too.
 */
export async function countLiveSlots(
  db: Db,
  args: { productId: number; ownerId: number; resellerId: number | null; callUuid: string; now: Date },
): Promise<SlotCounts> {
  const reseller = args.resellerId ?? 0;
  const result = (await db.raw(
    `SELECT count(*) FILTER (WHERE product_id = ?) AS did,
            count(*) FILTER (WHERE account_id = ? OR reseller_id = ?) AS owner,
            count(*) FILTER (WHERE account_id = ? OR reseller_id = ?) AS reseller,
            coalesce(bool_or(call_uuid = ?), false) AS held
       FROM call_slots
      WHERE expires_at > ? AND (product_id = ? OR account_id IN (?, ?) OR reseller_id IN (?, ?))`,
    [args.productId, args.ownerId, args.ownerId, reseller, reseller, args.callUuid, args.now, args.productId, args.ownerId, reseller, args.ownerId, reseller],
  )) as { rows: Array<{ did: unknown; owner: unknown; reseller: unknown; held: boolean }> };
  const row = result.rows[0]!;
  return { did: Number(row.did), owner: Number(row.owner), reseller: Number(row.reseller), held: Boolean(row.held) };
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

/** Drops slots that expired long ago (their calls' CDRs never came); they no longer count anyway. */
export async function deleteExpiredSlots(db: Db, before: Date): Promise<number> {
  return db('call_slots').where('expires_at', '<', before).delete();
}
