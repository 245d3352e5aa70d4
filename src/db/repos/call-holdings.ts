// Who holds a number and on what terms, in one read: the product, its owner and the owner's live
// subscription, and for a customer of a reseller the reseller, its subscription and sell terms.
import type { Knex } from 'knex';
import { Batcher, type BatcherOptions } from '../batcher.ts';
import type { Db } from '../knex.ts';
import { queryPrepared, type PreparedStatement } from '../prepared.ts';
import type { SlotCounts } from './call-slots.ts';
import { versionsOfPlans, type RatePlanVersionRow } from './rate-plans.ts';

export interface CallHoldingRow {
  product_id: number;
  number: string;
  status: 'active' | 'inactive';
  archived_at: Date | null;
  destination_type: 'sip_uri' | 'pstn' | 'extension' | null;
  destination: string | null;
  call_timeout: number;
  concurrent_calls: number;
  connection_cost: string;
  grace_seconds: number;
  cost_per_minute: string;
  initial_increment: number;
  increment: number;
  owner_id: number | null;
  owner_role: 'admin' | 'reseller' | 'customer' | null;
  owner_status: 'active' | 'suspended' | 'closed' | null;
  owner_billing_mode: 'prepaid' | 'postpaid' | null;
  owner_balance: string | null;
  owner_credit_limit: string | null;
  owner_max_calls: number | null;
  owner_subscription: 'active' | 'suspended' | null;
  reseller_id: number | null;
  reseller_status: 'active' | 'suspended' | 'closed' | null;
  reseller_billing_mode: 'prepaid' | 'postpaid' | null;
  reseller_balance: string | null;
  reseller_credit_limit: string | null;
  reseller_max_calls: number | null;
  reseller_subscription: 'active' | 'suspended' | null;
  sell_connection_cost: string | null;
  sell_grace_seconds: number | null;
  sell_cost_per_minute: string | null;
  sell_initial_increment: number | null;
  sell_increment: number | null;
  /** The admin's rate plan of the number, and the reseller's resale plan; null = own terms. */
  product_rate_plan_id: number | null;
  sell_rate_plan_id: number | null;
  /** Every version of those plans, by plan id: call-terms.ts picks the one in force at the call. */
  rate_plan_versions: Map<number, RatePlanVersionRow[]>;
}

async function withPlanVersions(db: Db, rows: CallHoldingRow[]): Promise<CallHoldingRow[]> {
  const planIds = rows.flatMap((row) => [row.product_rate_plan_id, row.sell_rate_plan_id]).filter((id): id is number => id !== null);
  const versions = await versionsOfPlans(db, planIds);
  for (const row of rows) row.rate_plan_versions = versions;
  return rows;
}

// The view call_holdings (its migration) is the one definition of this read, for the route
// request and the CDRs alike. Named statements (db/prepared.ts): planning its joins cost more
// than running them. The numbers are joined, not matched with \`number = ANY($1)\`: planned for
// an array of unknown length, that form chose the trigram index of the inventory search and took
// 730 ms for 1,000 numbers where the join takes 8 ms (EXPLAIN ANALYZE, generic plan).
const HOLDINGS_BY_NUMBERS: PreparedStatement = {
  name: 'call_holdings_by_numbers',
  text: 'SELECT h.* FROM unnest($1::text[]) AS q(number) JOIN call_holdings h ON h.number = q.number',
};

/** Holdings of many numbers at once (a CDR batch). */
export async function findHoldingsByNumbers(db: Db, numbers: string[]): Promise<CallHoldingRow[]> {
  if (numbers.length === 0) return [];
  return withPlanVersions(db, await queryPrepared<CallHoldingRow>(db, HOLDINGS_BY_NUMBERS, [numbers]));
}

/** A slot taken along with the read: null where none was tried (the number cannot take calls). */
export type SlotAttempt = (SlotCounts & { taken: boolean }) | null;

interface HoldingWithSlotRow extends CallHoldingRow {
  request_ord: number;
  slot_did: number | null;
  slot_owner: number | null;
  slot_reseller: number | null;
  slot_held: boolean | null;
  slot_taken: boolean | null;
}

// The slot is tried for every number that may take a call at all; the caller decides the rest and
// gives the slot back when it refuses. Its expiry assumes the longest call: the caller shortens it
// when the accounts' funds allow less. Many route requests go in one statement (db/batcher.ts):
// take_call_slots serves them in their order, after taking every lock the batch needs.
const HOLDINGS_TAKING_SLOTS: PreparedStatement = {
  name: 'call_holdings_taking_slots',
  text: `
    WITH request AS (
      SELECT r.ord::integer AS ord, r.number, r.call_uuid, r.switch_id, r.at, r.longest
        FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::integer[])
             WITH ORDINALITY AS r(number, call_uuid, switch_id, at, longest, ord)
    ), holding AS MATERIALIZED (
      SELECT q.ord AS request_ord, h.* FROM request q JOIN call_holdings h ON h.number = q.number
    ), slot AS MATERIALIZED (
      SELECT * FROM take_call_slots(ARRAY(
        SELECT ROW(q.ord,
                   coalesce(x.status = 'active' AND x.archived_at IS NULL AND x.owner_role IN ('reseller', 'customer') AND x.destination IS NOT NULL, false),
                   q.call_uuid, x.product_id, x.owner_id, x.reseller_id, q.switch_id, q.at,
                   q.at + make_interval(secs => x.call_timeout + q.longest), q.at,
                   x.concurrent_calls, coalesce(x.owner_max_calls, 0), coalesce(x.reseller_max_calls, 0))::call_slot_request
          FROM holding x JOIN request q ON q.ord = x.request_ord ORDER BY q.ord))
    )
    SELECT h.*, s.did AS slot_did, s.owner AS slot_owner, s.reseller AS slot_reseller, s.held AS slot_held, s.taken AS slot_taken
      FROM holding h LEFT JOIN slot s ON s.ord = h.request_ord`,
};

export interface SlotCall {
  number: string;
  uuid: string;
  switchId: number | null;
  now: Date;
  /** The longest the call may last after it is answered, the slot's margin included. */
  longestSeconds: number;
}

export interface HoldingWithSlot {
  holding: CallHoldingRow;
  slot: SlotAttempt;
}

/**
 * For each call, the holding of its number and, in the same statement, a concurrency slot for the
 * call (see take_call_slots in its migration); undefined where the number is not ours.
 */
export async function findHoldingsTakingSlots(db: Db, calls: SlotCall[]): Promise<Array<HoldingWithSlot | undefined>> {
  const rows = await queryPrepared<HoldingWithSlotRow>(db, HOLDINGS_TAKING_SLOTS, [
    calls.map((call) => call.number), calls.map((call) => call.uuid), calls.map((call) => call.switchId),
    calls.map((call) => call.now.toISOString()), calls.map((call) => call.longestSeconds),
  ]);
  const found: Array<HoldingWithSlot | undefined> = calls.map(() => undefined);
  const holdings: CallHoldingRow[] = [];
  for (const row of rows) {
    const { request_ord: ord, slot_did: did, slot_owner: owner, slot_reseller: reseller, slot_held: held, slot_taken: taken, ...holding } = row;
    holdings.push(holding as CallHoldingRow);
    const slot = taken === null ? null : { did: Number(did), owner: Number(owner), reseller: Number(reseller), held: Boolean(held), taken: Boolean(taken) };
    found[ord - 1] = { holding: holding as CallHoldingRow, slot };
  }
  await withPlanVersions(db, holdings);
  return found;
}

// Route requests come in hundreds a second from many switches: those reaching this instance
// together share one statement. With two in flight, Postgres runs one batch while Node answers the
// last; 1, 2, 4 and 8 measured the same within this machine's noise (`npm run bench:calls`).
const batchers = new WeakMap<Db, Batcher<SlotCall, HoldingWithSlot | undefined>>();
const BATCHING: BatcherOptions = { maxBatch: 100, maxInFlight: 2 };

/** One call's holding and slot, sent with the other calls being asked about at the same time. */
export function findHoldingTakingSlot(db: Db, call: SlotCall): Promise<HoldingWithSlot | undefined> {
  // A transaction's statements cannot be shared with other requests.
  if ((db as Knex.Transaction).isTransaction) return findHoldingsTakingSlots(db, [call]).then((found) => found[0]);
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new Batcher((calls) => findHoldingsTakingSlots(db, calls), BATCHING);
    batchers.set(db, batcher);
  }
  return batcher.run(call);
}
