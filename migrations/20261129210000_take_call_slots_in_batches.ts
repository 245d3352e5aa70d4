import type { Knex } from 'knex';
import { createTakeCallSlot } from './20261129200000_create_call_holdings_and_take_call_slot.ts';

// Route requests in batches: the route requests that reach an app instance together share one
// statement (db/batcher.ts, used by db/repos/call-holdings.ts), so the per-statement cost of
// Postgres (a transaction, its commit, a round trip) is paid once per batch, not once per call. take_call_slots does what
// take_call_slot did, for an array of requests, which replaces it.
//
// Locks: one statement holds every lock it took until it ends. A batch takes all of its locks
// before counting anything, in one global order (numbers by key, then accounts by key), so two
// batches, or a batch and a lone request, cannot each hold what the other waits for. Requests are
// then served in array order; each count reads a fresh snapshot (VOLATILE plpgsql), so it
// includes the slots committed by the batches it waited for and those taken earlier in its own.
//
// enable_seqscan = off: plpgsql keeps each statement's plan for the connection's life, and a plan
// made while call_slots was nearly empty counts slots by reading the whole table; once thousands of
// calls are live, every route request paid for that (measured: Postgres time per request grew from
// 0.14 ms to 1.4 ms within 10 s of load, until the next autovacuum analyze). The counts must use
// their indexes at any size.
//
// Returns, for each request tried, its position (ord), the live slots counted on each limit that
// applies (0 where none does, a limit of 0 being none), whether the call already held a slot and
// whether one was taken now; nothing for a request whose `try` is not true.
const LOCK_PRODUCT = 7301;
const LOCK_ACCOUNT = 7302;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION take_call_slot(boolean, text, bigint, bigint, bigint, bigint, timestamptz, timestamptz, timestamptz, integer, integer, integer)');
  await knex.raw(`
    CREATE TYPE call_slot_request AS (
      ord integer, try boolean, call_uuid text, product_id bigint, account_id bigint, reseller_id bigint, switch_id bigint,
      created_at timestamptz, expires_at timestamptz, now timestamptz, did_limit integer, owner_limit integer, reseller_limit integer)`);
  await knex.raw(`
    CREATE FUNCTION take_call_slots(p_requests call_slot_request[])
    RETURNS TABLE (ord integer, did bigint, owner bigint, reseller bigint, held boolean, taken boolean)
    LANGUAGE plpgsql VOLATILE SET enable_seqscan = off AS $$
    DECLARE
      r call_slot_request;
      v_key integer;
      v_inserted integer;
    BEGIN
      -- A slot is a short-lived counter, not money: this transaction does not wait for the disk.
      PERFORM set_config('synchronous_commit', 'off', true);
      FOR v_key IN
        SELECT DISTINCT (q.product_id % 2147483647)::integer FROM unnest(p_requests) q
         WHERE q.try AND q.did_limit > 0 ORDER BY 1
      LOOP
        PERFORM pg_advisory_xact_lock(${LOCK_PRODUCT}, v_key);
      END LOOP;
      FOR v_key IN
        SELECT DISTINCT k FROM (
          SELECT (q.account_id % 2147483647)::integer AS k FROM unnest(p_requests) q WHERE q.try AND q.owner_limit > 0
          UNION ALL
          SELECT (q.reseller_id % 2147483647)::integer FROM unnest(p_requests) q
           WHERE q.try AND q.reseller_limit > 0 AND q.reseller_id IS NOT NULL) keys
         ORDER BY 1
      LOOP
        PERFORM pg_advisory_xact_lock(${LOCK_ACCOUNT}, v_key);
      END LOOP;

      FOREACH r IN ARRAY p_requests LOOP
        CONTINUE WHEN r.try IS NOT TRUE;
        ord := r.ord;
        did := 0;
        owner := 0;
        reseller := 0;
        v_inserted := 0;
        IF r.did_limit > 0 THEN
          SELECT count(*) INTO did FROM call_slots s WHERE s.product_id = r.product_id AND s.expires_at > r.now;
        END IF;
        -- An account's calls are those to numbers it owns and, for a reseller, its customers' too.
        IF r.owner_limit > 0 THEN
          SELECT (SELECT count(*) FROM call_slots s WHERE s.account_id = r.account_id AND s.expires_at > r.now)
               + (SELECT count(*) FROM call_slots s WHERE s.reseller_id = r.account_id AND s.expires_at > r.now)
            INTO owner;
        END IF;
        IF r.reseller_limit > 0 AND r.reseller_id IS NOT NULL THEN
          SELECT (SELECT count(*) FROM call_slots s WHERE s.account_id = r.reseller_id AND s.expires_at > r.now)
               + (SELECT count(*) FROM call_slots s WHERE s.reseller_id = r.reseller_id AND s.expires_at > r.now)
            INTO reseller;
        END IF;
        held := EXISTS (SELECT 1 FROM call_slots s WHERE s.call_uuid = r.call_uuid AND s.expires_at > r.now);
        IF NOT held
           AND (r.did_limit = 0 OR did < r.did_limit)
           AND (r.owner_limit = 0 OR owner < r.owner_limit)
           AND (r.reseller_limit = 0 OR reseller < r.reseller_limit) THEN
          INSERT INTO call_slots (call_uuid, product_id, account_id, reseller_id, switch_id, created_at, expires_at)
          VALUES (r.call_uuid, r.product_id, r.account_id, r.reseller_id, r.switch_id, r.created_at, r.expires_at)
          ON CONFLICT (call_uuid) DO NOTHING;
          GET DIAGNOSTICS v_inserted = ROW_COUNT;
        END IF;
        taken := v_inserted > 0;
        RETURN NEXT;
      END LOOP;
    END
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS take_call_slots(call_slot_request[])');
  await knex.raw('DROP TYPE IF EXISTS call_slot_request');
  await createTakeCallSlot(knex);
}
