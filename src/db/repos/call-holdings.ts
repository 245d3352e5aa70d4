// Who holds a number and on what terms, in one read: the product, its owner and the owner's live
// subscription, and for a customer of a reseller the reseller, its subscription and sell terms.
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
// than running them.
const HOLDINGS_BY_NUMBERS: PreparedStatement = { name: 'call_holdings_by_numbers', text: 'SELECT * FROM call_holdings WHERE number = ANY($1::text[])' };

/** Holdings of many numbers at once (a CDR batch). */
export async function findHoldingsByNumbers(db: Db, numbers: string[]): Promise<CallHoldingRow[]> {
  if (numbers.length === 0) return [];
  return withPlanVersions(db, await queryPrepared<CallHoldingRow>(db, HOLDINGS_BY_NUMBERS, [numbers]));
}

/** A slot taken along with the read: null where none was tried (the number cannot take calls). */
export type SlotAttempt = (SlotCounts & { taken: boolean }) | null;

interface HoldingWithSlotRow extends CallHoldingRow {
  slot_did: number | null;
  slot_owner: number | null;
  slot_reseller: number | null;
  slot_held: boolean | null;
  slot_taken: boolean | null;
}

// The slot is tried for every number that may take a call at all; the caller decides the rest and
// gives the slot back when it refuses. Its expiry assumes the longest call: the caller shortens it
// when the accounts' funds allow less.
const HOLDING_TAKING_SLOT: PreparedStatement = {
  name: 'call_holding_taking_slot',
  text: `
    SELECT h.*, s.did AS slot_did, s.owner AS slot_owner, s.reseller AS slot_reseller, s.held AS slot_held, s.taken AS slot_taken
      FROM call_holdings h
      LEFT JOIN LATERAL take_call_slot(
             coalesce(h.status = 'active' AND h.archived_at IS NULL AND h.owner_role IN ('reseller', 'customer') AND h.destination IS NOT NULL, false),
             $2::text, h.product_id, h.owner_id, h.reseller_id, $3::bigint, $4::timestamptz,
             $4::timestamptz + make_interval(secs => h.call_timeout + $5::integer), $4::timestamptz,
             h.concurrent_calls, coalesce(h.owner_max_calls, 0), coalesce(h.reseller_max_calls, 0)) s ON true
     WHERE h.number = $1`,
};

/**
 * The holding of a number and, in the same round trip, a concurrency slot for the call (see
 * take_call_slot in its migration). `longestSeconds` is the longest the call may last after it
 * is answered, the slot's margin included.
 */
export async function findHoldingTakingSlot(
  db: Db,
  number: string,
  call: { uuid: string; switchId: number | null; now: Date; longestSeconds: number },
): Promise<{ holding: CallHoldingRow; slot: SlotAttempt } | undefined> {
  const rows = await queryPrepared<HoldingWithSlotRow>(db, HOLDING_TAKING_SLOT, [number, call.uuid, call.switchId, call.now, call.longestSeconds]);
  const row = rows[0];
  if (!row) return undefined;
  const { slot_did: did, slot_owner: owner, slot_reseller: reseller, slot_held: held, slot_taken: taken, ...holding } = row;
  await withPlanVersions(db, [holding as CallHoldingRow]);
  const slot = taken === null ? null : { did: Number(did), owner: Number(owner), reseller: Number(reseller), held: Boolean(held), taken: Boolean(taken) };
  return { holding: holding as CallHoldingRow, slot };
}
