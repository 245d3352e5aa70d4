// Who holds a number and on what terms, in one read: the product, its owner and the owner's live
// subscription, and for a customer of a reseller the reseller, its subscription and sell terms.
import type { Db } from '../knex.ts';
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

// An account holds a number through at most one live subscription (the partial unique index
// subscriptions_live_unique), so the subscription joins add no rows.
const HOLDING_SQL = `
  SELECT p.id AS product_id, p.number, p.status, p.archived_at, p.destination_type, p.destination, p.call_timeout,
         p.concurrent_calls, p.connection_cost, p.grace_seconds, p.cost_per_minute, p.initial_increment, p.increment,
         o.id AS owner_id, o.role AS owner_role, o.status AS owner_status, o.billing_mode AS owner_billing_mode,
         o.balance AS owner_balance, o.credit_limit AS owner_credit_limit, o.max_concurrent_calls AS owner_max_calls,
         os.status AS owner_subscription,
         r.id AS reseller_id, r.status AS reseller_status, r.billing_mode AS reseller_billing_mode,
         r.balance AS reseller_balance, r.credit_limit AS reseller_credit_limit, r.max_concurrent_calls AS reseller_max_calls,
         rs.status AS reseller_subscription,
         rp.connection_cost AS sell_connection_cost, rp.grace_seconds AS sell_grace_seconds,
         rp.cost_per_minute AS sell_cost_per_minute, rp.initial_increment AS sell_initial_increment, rp.increment AS sell_increment,
         p.rate_plan_id AS product_rate_plan_id, rp.rate_plan_id AS sell_rate_plan_id
    FROM products p
    LEFT JOIN accounts o ON o.id = coalesce(p.customer_id, p.reseller_id)
    LEFT JOIN subscriptions os ON os.product_id = p.id AND os.account_id = o.id AND os.status <> 'ended'
    LEFT JOIN accounts r ON p.customer_id IS NOT NULL AND r.id = p.reseller_id
    LEFT JOIN subscriptions rs ON rs.product_id = p.id AND rs.account_id = r.id AND rs.status <> 'ended'
    LEFT JOIN reseller_prices rp ON rp.product_id = p.id AND rp.reseller_id = r.id
   WHERE p.category = 'did'`;

async function withPlanVersions(db: Db, rows: CallHoldingRow[]): Promise<CallHoldingRow[]> {
  const planIds = rows.flatMap((row) => [row.product_rate_plan_id, row.sell_rate_plan_id]).filter((id): id is number => id !== null);
  const versions = await versionsOfPlans(db, planIds);
  for (const row of rows) row.rate_plan_versions = versions;
  return rows;
}

export async function findHoldingByNumber(db: Db, number: string): Promise<CallHoldingRow | undefined> {
  const result = (await db.raw(`${HOLDING_SQL} AND p.number = ?`, [number])) as { rows: CallHoldingRow[] };
  return (await withPlanVersions(db, result.rows))[0];
}

/** Holdings of many numbers at once (a CDR batch). */
export async function findHoldingsByNumbers(db: Db, numbers: string[]): Promise<CallHoldingRow[]> {
  if (numbers.length === 0) return [];
  const result = (await db.raw(`${HOLDING_SQL} AND p.number = ANY(?::text[])`, [numbers])) as { rows: CallHoldingRow[] };
  return withPlanVersions(db, result.rows);
}
