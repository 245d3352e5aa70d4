// Concurrency slots and the credit they reserve: one row per authorised call in progress (taken by
// the route statement, see call-holdings.ts), ended by its CDR (cdr-batches.ts), by a refusal or
// by expiry (here). The functions are in src/db/sql.
import type { Db } from '../knex.ts';
import { queryPrepared, type PreparedStatement } from '../prepared.ts';

export interface SlotLimits {
  /** 0 = unlimited, as everywhere. */
  did: number;
  owner: number;
  reseller: number;
}

/**
 * Ends the slots of `callUuids` (calls refused after their slot was taken) and at most
 * `expiredLimit` slots past their expiry, giving their reservations back; the expired ones are
 * kept for the admin's list. Returns how many slots went.
 */
export async function releaseCallSlots(db: Db, callUuids: string[], now: Date, expiredLimit = 0): Promise<number> {
  const result = (await db.raw('SELECT release_call_slots(?::text[], ?::timestamptz, ?::integer) AS released', [
    callUuids, now.toISOString(), expiredLimit,
  ])) as { rows: Array<{ released: number }> };
  return Number(result.rows[0]?.released ?? 0);
}

export interface CallReservation {
  /** Reserved for calls in progress (expired reservations no longer count). */
  reserved: string;
  /** Balance, plus the credit limit when postpaid, minus `reserved`. */
  available: string;
}

const RESERVATIONS: PreparedStatement = {
  name: 'call_reservations_of',
  text: 'SELECT account_id, reserved, available FROM lock_call_reservations($1::bigint[], $2::timestamptz, $3::boolean)',
};

/**
 * What each account has reserved for calls in progress and its available funds. With `lock`
 * (inside the transaction that spends them), the accounts' reservations are locked until it
 * commits, so no call can reserve what the caller is about to spend (lock the accounts' own rows
 * first, as every writer does: see lock_call_reservations).
 */
export async function callReservationsOf(db: Db, accountIds: number[], now: Date, options: { lock: boolean }): Promise<Map<number, CallReservation>> {
  if (accountIds.length === 0) return new Map();
  const rows = await queryPrepared<{ account_id: number | string; reserved: string; available: string }>(db, RESERVATIONS, [
    accountIds, now.toISOString(), options.lock,
  ]);
  return new Map(rows.map((row) => [Number(row.account_id), { reserved: row.reserved, available: row.available }]));
}

export interface ExpiredReservationRow {
  call_uuid: string;
  product_id: number;
  number: string | null;
  account_id: number;
  account_name: string | null;
  reseller_id: number | null;
  reseller_name: string | null;
  allowed_seconds: number | null;
  owner_reserved: string;
  reseller_reserved: string;
  created_at: Date;
  expires_at: Date;
  released_at: Date;
}

function expiredReservations(db: Db) {
  return db('expired_call_reservations as e')
    .leftJoin('products as p', 'p.id', 'e.product_id')
    .leftJoin('accounts as o', 'o.id', 'e.account_id')
    .leftJoin('accounts as r', 'r.id', 'e.reseller_id')
    .select('e.*', 'p.number', 'o.name as account_name', 'r.name as reseller_name')
    .orderBy([{ column: 'e.released_at', order: 'desc' }, { column: 'e.call_uuid', order: 'desc' }]);
}

/** Reservations released because their CDR never came, newest first. */
export async function listExpiredReservations(db: Db, page: { limit: number; offset: number }): Promise<ExpiredReservationRow[]> {
  return (await expiredReservations(db).limit(page.limit).offset(page.offset)) as ExpiredReservationRow[];
}

/**
 * The same list (newest first, as the page) after the reservation `afterUuid`: how the CSV export
 * streams. The cursor's time is read in SQL, whose microseconds a JavaScript Date would round away.
 */
export async function listExpiredReservationBatch(db: Db, afterUuid: string | undefined, limit: number): Promise<ExpiredReservationRow[]> {
  const query = expiredReservations(db).limit(limit);
  if (afterUuid !== undefined) {
    query.whereRaw('(e.released_at, e.call_uuid) < (SELECT x.released_at, x.call_uuid FROM expired_call_reservations x WHERE x.call_uuid = ?)', [afterUuid]);
  }
  return (await query) as ExpiredReservationRow[];
}

export async function countExpiredReservations(db: Db, since?: Date): Promise<number> {
  const query = db('expired_call_reservations').count({ n: '*' });
  if (since) query.where('released_at', '>=', since);
  const row = (await query.first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}
