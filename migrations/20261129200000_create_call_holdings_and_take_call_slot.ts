import type { Knex } from 'knex';

// A route request in one round trip: the switch waits for one query, not six.
//
// call_holdings: who holds each number and on what terms (the product, its owner and the owner's
// live subscription, and for a customer of a reseller the reseller, its subscription and sell
// terms), read by the route request and by CDR charging alike. An account holds a number through
// at most one live subscription (the partial unique index subscriptions_live_unique), so the
// subscription joins add no rows.
//
// take_call_slot: locks what a limit applies to (the number, the owner, its reseller), counts the
// live slots on each, and takes a slot for the call if every limit leaves room. Parallel requests
// queue on the locks, so each count includes the others. In one plain SQL statement the count
// would read the snapshot taken before the lock was granted and miss the slot just committed by
// the request it waited for; inside a VOLATILE function each statement reads a fresh snapshot.
// The locks are transaction-scoped advisory locks: they queue the same requests as row locks did
// but write nothing to the rows, and never block the key-share locks of a CDR's foreign keys.
// Returns the live slots counted on each limit that applies (0 where it does not, a limit of 0
// being none), whether this call already held a slot (the switch asked twice) and whether one was
// taken now; no row at all when p_try is not true (a caller joining it to a read of the number says
// so for a number that cannot take calls: a join filter would only apply after the call).
const LOCK_PRODUCT = 7301;
const LOCK_ACCOUNT = 7302;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE VIEW call_holdings AS
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
     WHERE p.category = 'did'`);

  await createTakeCallSlot(knex);
}

/** Also the down of the migration that replaced it with take_call_slots. */
export async function createTakeCallSlot(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION take_call_slot(
      p_try boolean, p_call_uuid text, p_product_id bigint, p_account_id bigint, p_reseller_id bigint, p_switch_id bigint,
      p_created_at timestamptz, p_expires_at timestamptz, p_now timestamptz,
      p_did_limit integer, p_owner_limit integer, p_reseller_limit integer)
    RETURNS TABLE (did bigint, owner bigint, reseller bigint, held boolean, taken boolean)
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      v_did bigint := 0;
      v_owner bigint := 0;
      v_reseller bigint := 0;
      v_held boolean;
      v_inserted integer := 0;
    BEGIN
      IF p_try IS NOT TRUE THEN
        RETURN;
      END IF;
      -- A slot is a short-lived counter, not money: this transaction does not wait for the disk.
      PERFORM set_config('synchronous_commit', 'off', true);
      -- Always in this order (number, then accounts by id), so two requests cannot deadlock.
      IF p_did_limit > 0 THEN
        PERFORM pg_advisory_xact_lock(${LOCK_PRODUCT}, (p_product_id % 2147483647)::integer);
      END IF;
      IF p_owner_limit > 0 AND p_reseller_limit > 0 AND p_reseller_id IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(${LOCK_ACCOUNT}, (least(p_account_id, p_reseller_id) % 2147483647)::integer);
        PERFORM pg_advisory_xact_lock(${LOCK_ACCOUNT}, (greatest(p_account_id, p_reseller_id) % 2147483647)::integer);
      ELSIF p_owner_limit > 0 THEN
        PERFORM pg_advisory_xact_lock(${LOCK_ACCOUNT}, (p_account_id % 2147483647)::integer);
      ELSIF p_reseller_limit > 0 AND p_reseller_id IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(${LOCK_ACCOUNT}, (p_reseller_id % 2147483647)::integer);
      END IF;
      IF p_did_limit > 0 THEN
        SELECT count(*) INTO v_did FROM call_slots s WHERE s.product_id = p_product_id AND s.expires_at > p_now;
      END IF;
      -- An account's calls are those to numbers it owns and, for a reseller, its customers' too.
      IF p_owner_limit > 0 THEN
        SELECT (SELECT count(*) FROM call_slots s WHERE s.account_id = p_account_id AND s.expires_at > p_now)
             + (SELECT count(*) FROM call_slots s WHERE s.reseller_id = p_account_id AND s.expires_at > p_now)
          INTO v_owner;
      END IF;
      IF p_reseller_limit > 0 AND p_reseller_id IS NOT NULL THEN
        SELECT (SELECT count(*) FROM call_slots s WHERE s.account_id = p_reseller_id AND s.expires_at > p_now)
             + (SELECT count(*) FROM call_slots s WHERE s.reseller_id = p_reseller_id AND s.expires_at > p_now)
          INTO v_reseller;
      END IF;
      v_held := EXISTS (SELECT 1 FROM call_slots s WHERE s.call_uuid = p_call_uuid AND s.expires_at > p_now);
      IF NOT v_held
         AND (p_did_limit = 0 OR v_did < p_did_limit)
         AND (p_owner_limit = 0 OR v_owner < p_owner_limit)
         AND (p_reseller_limit = 0 OR v_reseller < p_reseller_limit) THEN
        INSERT INTO call_slots (call_uuid, product_id, account_id, reseller_id, switch_id, created_at, expires_at)
        VALUES (p_call_uuid, p_product_id, p_account_id, p_reseller_id, p_switch_id, p_created_at, p_expires_at)
        ON CONFLICT (call_uuid) DO NOTHING;
        GET DIAGNOSTICS v_inserted = ROW_COUNT;
      END IF;
      RETURN QUERY SELECT v_did, v_owner, v_reseller, v_held, v_inserted > 0;
    END
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS take_call_slot(boolean, text, bigint, bigint, bigint, bigint, timestamptz, timestamptz, timestamptz, integer, integer, integer)');
  await knex.raw('DROP VIEW IF EXISTS call_holdings');
}
