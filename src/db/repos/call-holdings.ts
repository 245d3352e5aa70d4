// Who holds a number and on what terms, in one read: the product, its owner and the owner's live
// subscription, and for a customer of a reseller the reseller, its subscription and sell terms.
import type { Knex } from 'knex';
import { Batcher, type BatcherOptions } from '../batcher.ts';
import type { Db } from '../knex.ts';
import { queryPrepared, type PreparedStatement } from '../prepared.ts';
import { toStored } from '../../domain/money.ts';
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

/** What the route statement decided about the call's slot and credit (take_call_slots). */
export interface SlotDecision {
  did: number;
  owner: number;
  reseller: number;
  /** This call already holds a slot: the switch asked again for the same call. */
  held: boolean;
  taken: boolean;
  /** The call's allowance in seconds; null when the funds cannot start it (see `short`). */
  allowedSeconds: number | null;
  /** Reserved on the owner and on the reseller above it (decimal strings). */
  ownerReserved: string;
  resellerReserved: string;
  /** Which level's available funds cannot start the call, and what they lack. */
  short: { level: 0 | 1; funds: string; needed: string; what: 'initial' | 'increment' } | null;
}

/** Null where no slot was tried: the number cannot take calls (see the statement). */
export type SlotAttempt = SlotDecision | null;

interface HoldingWithSlotRow extends CallHoldingRow {
  request_ord: number;
  slot_did: number | null;
  slot_owner: number | null;
  slot_reseller: number | null;
  slot_held: boolean | null;
  slot_taken: boolean | null;
  slot_allowed_seconds: number | null;
  slot_owner_reserved: string | null;
  slot_reseller_reserved: string | null;
  slot_short_level: number | null;
  slot_short_funds: string | null;
  slot_short_needed: string | null;
  slot_short_what: 'initial' | 'increment' | null;
}

// A slot, and the credit of the call at every level of its chain, is tried for every number that
// may take a call: the same conditions under which authorizeCall would not refuse it for the
// number or its accounts, so a call refused for those never reserves anything. The terms each
// level pays are resolved here as call-terms.ts resolves them for rating (rate_terms_in_force:
// the owner pays the sell terms of its reseller, or the product's; the reseller the product's).
// Many route requests go in one statement (db/batcher.ts): take_call_slots serves them in their
// order, after taking every lock the batch needs.
const HOLDINGS_TAKING_SLOTS: PreparedStatement = {
  name: 'call_holdings_taking_slots_reserving',
  text: `
    WITH request AS (
      SELECT r.ord::integer AS ord, r.number, r.call_uuid, r.switch_id, r.at, r.cap, r.margin, r.decimals
        FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::integer[], $6::integer[], $7::integer[])
             WITH ORDINALITY AS r(number, call_uuid, switch_id, at, cap, margin, decimals, ord)
    ), holding AS MATERIALIZED (
      SELECT q.ord AS request_ord, h.* FROM request q JOIN call_holdings h ON h.number = q.number
    ), priced AS MATERIALIZED (
      SELECT x.request_ord, b.buy,
             CASE WHEN x.reseller_id IS NULL THEN NULL
                  WHEN x.sell_rate_plan_id IS NOT NULL THEN rate_terms_in_force(x.sell_rate_plan_id, q.at, b.buy, s.own)
                  ELSE s.own END AS sell
        FROM holding x JOIN request q ON q.ord = x.request_ord
       CROSS JOIN LATERAL (SELECT CASE WHEN x.product_rate_plan_id IS NULL THEN o.own ELSE rate_terms_in_force(x.product_rate_plan_id, q.at, o.own, o.own) END AS buy
                             FROM (SELECT ROW(x.connection_cost, x.grace_seconds, x.cost_per_minute, x.initial_increment, x.increment)::rate_terms AS own) o) b
       -- A reseller with no sell terms of its own for the number sells at its buy terms.
       CROSS JOIN LATERAL (SELECT CASE WHEN x.sell_connection_cost IS NULL OR x.sell_cost_per_minute IS NULL THEN b.buy
                                       ELSE ROW(x.sell_connection_cost, coalesce(x.sell_grace_seconds, 0), x.sell_cost_per_minute,
                                                coalesce(x.sell_initial_increment, 0), coalesce(x.sell_increment, 0))::rate_terms END AS own) s
    ), slot AS MATERIALIZED (
      SELECT * FROM take_call_slots(ARRAY(
        SELECT ROW(q.ord,
                   coalesce(x.status = 'active' AND x.archived_at IS NULL AND x.owner_role IN ('reseller', 'customer')
                            AND x.destination IS NOT NULL AND x.destination_type IS NOT NULL
                            AND x.owner_status = 'active' AND x.owner_subscription = 'active'
                            AND (x.reseller_id IS NULL OR (x.reseller_status = 'active' AND x.reseller_subscription = 'active')), false),
                   q.call_uuid, x.product_id, x.owner_id, x.reseller_id, q.switch_id, q.at,
                   x.concurrent_calls, coalesce(x.owner_max_calls, 0), coalesce(x.reseller_max_calls, 0),
                   x.call_timeout, q.cap, q.margin, q.decimals,
                   coalesce(p.sell, p.buy), CASE WHEN x.reseller_id IS NOT NULL THEN p.buy END)::call_slot_request
          FROM holding x JOIN request q ON q.ord = x.request_ord JOIN priced p ON p.request_ord = x.request_ord ORDER BY q.ord))
    )
    SELECT h.*, s.did AS slot_did, s.owner AS slot_owner, s.reseller AS slot_reseller, s.held AS slot_held, s.taken AS slot_taken,
           s.allowed_seconds AS slot_allowed_seconds, s.owner_reserved AS slot_owner_reserved, s.reseller_reserved AS slot_reseller_reserved,
           s.short_level AS slot_short_level, s.short_funds AS slot_short_funds, s.short_needed AS slot_short_needed, s.short_what AS slot_short_what
      FROM holding h LEFT JOIN slot s ON s.ord = h.request_ord`,
};

export interface SlotCall {
  number: string;
  uuid: string;
  switchId: number | null;
  now: Date;
  /** The longest call allowed (the setting), and the slot's margin past it for a late CDR. */
  capSeconds: number;
  marginSeconds: number;
  /** Money decimals: reservations are rounded as charges are. */
  decimals: number;
}

export interface HoldingWithSlot {
  holding: CallHoldingRow;
  slot: SlotAttempt;
}

const SLOT_COLUMNS = [
  'request_ord', 'slot_did', 'slot_owner', 'slot_reseller', 'slot_held', 'slot_taken', 'slot_allowed_seconds', 'slot_owner_reserved',
  'slot_reseller_reserved', 'slot_short_level', 'slot_short_funds', 'slot_short_needed', 'slot_short_what',
] as const;

function slotDecisionOf(row: HoldingWithSlotRow): SlotAttempt {
  if (row.slot_taken === null) return null;
  const short = row.slot_short_level === null
    ? null
    : { level: row.slot_short_level === 0 ? 0 as const : 1 as const, funds: toStored(row.slot_short_funds!), needed: toStored(row.slot_short_needed!), what: row.slot_short_what! };
  return {
    did: Number(row.slot_did), owner: Number(row.slot_owner), reseller: Number(row.slot_reseller),
    held: Boolean(row.slot_held), taken: Boolean(row.slot_taken),
    allowedSeconds: row.slot_allowed_seconds === null ? null : Number(row.slot_allowed_seconds),
    ownerReserved: toStored(row.slot_owner_reserved ?? '0'), resellerReserved: toStored(row.slot_reseller_reserved ?? '0'),
    short,
  };
}

/**
 * For each call, the holding of its number and, in the same statement, a concurrency slot and the
 * credit reserved for the call (see take_call_slots in src/db/sql); undefined where the number is
 * not ours.
 */
export async function findHoldingsTakingSlots(db: Db, calls: SlotCall[]): Promise<Array<HoldingWithSlot | undefined>> {
  const rows = await queryPrepared<HoldingWithSlotRow>(db, HOLDINGS_TAKING_SLOTS, [
    calls.map((call) => call.number), calls.map((call) => call.uuid), calls.map((call) => call.switchId),
    calls.map((call) => call.now.toISOString()), calls.map((call) => call.capSeconds), calls.map((call) => call.marginSeconds),
    calls.map((call) => call.decimals),
  ]);
  const found: Array<HoldingWithSlot | undefined> = calls.map(() => undefined);
  const holdings: CallHoldingRow[] = [];
  for (const row of rows) {
    const slot = slotDecisionOf(row);
    const holding: Partial<HoldingWithSlotRow> = { ...row };
    for (const column of SLOT_COLUMNS) delete holding[column];
    holdings.push(holding as CallHoldingRow);
    found[row.request_ord - 1] = { holding: holding as CallHoldingRow, slot };
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
