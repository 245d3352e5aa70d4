// Concurrency slots: one row per authorised call in progress (see the calls migration).
import type { Db } from '../knex.ts';
import { queryPrepared, type PreparedStatement } from '../prepared.ts';

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

const TAKE_SLOT: PreparedStatement = {
  name: 'take_call_slot_alone',
  text: `SELECT did, owner, reseller, held, taken FROM take_call_slots(ARRAY[ROW(1, true, $1::text, $2::bigint, $3::bigint, $4::bigint, $5::bigint,
           $6::timestamptz, $7::timestamptz, $8::timestamptz, $9::integer, $10::integer, $11::integer)::call_slot_request])`,
};

/**
 * Takes the lock of each limit that applies, counts the live (unexpired) slots on the number, on
 * the owner and on its reseller, and takes a slot for the call if every limit leaves room: one
 * round trip to the function take_call_slots (see its migrations for why a function). Only the limits
 * that apply are counted (0 = unlimited is not), each through its own index, so a reseller with
 * thousands of calls in progress does not make every route request count them all. The slot
 * commits without waiting for the disk flush: a crash could forget the slots of its last
 * milliseconds; those calls end with the crash or expire anyway.
 */
export async function takeSlotIfFree(db: Db, slot: NewCallSlot, limits: SlotLimits, now: Date): Promise<SlotCounts & { taken: boolean }> {
  const rows = await queryPrepared<{ did: unknown; owner: unknown; reseller: unknown; held: boolean; taken: boolean }>(db, TAKE_SLOT, [
    slot.call_uuid, slot.product_id, slot.account_id, slot.reseller_id, slot.switch_id, slot.created_at, slot.expires_at, now,
    limits.did, limits.owner, limits.reseller,
  ]);
  const row = rows[0]!;
  return { did: Number(row.did), owner: Number(row.owner), reseller: Number(row.reseller), held: Boolean(row.held), taken: Boolean(row.taken) };
}

/** Frees the slots of calls whose CDRs arrived; returns the uuids that held one. */
export async function deleteCallSlots(db: Db, callUuids: string[]): Promise<string[]> {
  if (callUuids.length === 0) return [];
  const rows = (await db('call_slots').whereIn('call_uuid', callUuids).delete().returning('call_uuid')) as Array<{ call_uuid: string }>;
  return rows.map((row) => row.call_uuid);
}

/** A slot taken for the longest call, brought down to what the accounts' funds allow. */
export async function shortenCallSlot(db: Db, callUuid: string, expiresAt: Date): Promise<void> {
  await db('call_slots').where({ call_uuid: callUuid }).where('expires_at', '>', expiresAt).update({ expires_at: expiresAt });
}
