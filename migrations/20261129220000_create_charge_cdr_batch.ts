import type { Knex } from 'knex';

// Charging a batch of CDRs in one statement: charge_cdr_batch locks the accounts to be charged,
// stores the calls, writes each charge to its ledger and to call_charges, sets the balances and
// frees the calls' concurrency slots, then commits, without a round trip to the app in between.
//
// Why: batches from every switch charge the same accounts (a reseller is in most of them), so
// they queue on those accounts' locks, and the time a batch holds them is what bounds CDRs per
// second. Done statement by statement from the app, that time included ten round trips, each
// waiting for an event loop busy parsing and rating the other batches: 243 ms per 1,000 CDRs, of
// which Postgres worked 110 (measured with `npm run bench:calls` and log_min_duration_statement).
//
// The rules are those of postLedgerEntry, applied to many rows: accounts locked in id order
// before anything else (so batches queue rather than deadlock; calls are inserted in uuid order
// for the same reason when two batches carry the same CDR), each ledger row carries the running
// balance after it in the batch's order, each balance is set once to its last balance_after, so
// balance = sum(ledger) holds at the commit. A CDR whose uuid is already stored (a replay, or a
// concurrent batch that won) is skipped with all its charges; the calls stored are returned.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TYPE cdr_call AS (
      uuid text, switch_id bigint, source text, product_id bigint, number text, caller text, owner_id bigint, reseller_id bigint,
      started_at timestamptz, answered_at timestamptz, ended_at timestamptz, duration_seconds integer, billsec integer,
      hangup_cause text, cost numeric, billed_seconds integer)`);
  // seq: the charge's place in the batch, the order of its ledger rows. A charge of 0 is recorded
  // in call_charges but moves no money, so it has no ledger row.
  await knex.raw(`
    CREATE TYPE cdr_charge AS (
      seq integer, call_uuid text, account_id bigint, level smallint, role text, terms jsonb, cost numeric,
      billed_seconds integer, breakdown jsonb, description text)`);
  await knex.raw(`
    CREATE FUNCTION charge_cdr_batch(p_calls cdr_call[], p_charges cdr_charge[], p_ended_calls text[], p_product_ids bigint[], p_now timestamptz)
    RETURNS TABLE (call_id bigint, call_uuid text)
    LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      PERFORM 1 FROM accounts a
        WHERE a.id IN (SELECT c.account_id FROM unnest(p_charges) c WHERE c.cost <> 0)
        ORDER BY a.id FOR NO KEY UPDATE;

      -- A new statement: its snapshot sees the balances as the lock left them.
      RETURN QUERY
      WITH new_call AS (
        INSERT INTO calls (uuid, switch_id, source, product_id, number, caller, owner_id, reseller_id, started_at, answered_at,
                           ended_at, duration_seconds, billsec, hangup_cause, cost, billed_seconds, received_at)
        SELECT c.uuid, c.switch_id, c.source, c.product_id, c.number, c.caller, c.owner_id, c.reseller_id, c.started_at, c.answered_at,
               c.ended_at, c.duration_seconds, c.billsec, c.hangup_cause, c.cost, c.billed_seconds, p_now
          FROM unnest(p_calls) c ORDER BY c.uuid
        ON CONFLICT (uuid) DO NOTHING
        RETURNING id, uuid
      ), charge AS (
        SELECT c.*, n.id AS stored_call_id FROM unnest(p_charges) c JOIN new_call n ON n.uuid = c.call_uuid
      ), posting AS (
        SELECT ch.seq, ch.stored_call_id, ch.call_uuid, ch.account_id, ch.description, -ch.cost AS amount,
               a.balance - sum(ch.cost) OVER (PARTITION BY ch.account_id ORDER BY ch.seq) AS balance_after
          FROM charge ch JOIN accounts a ON a.id = ch.account_id
         WHERE ch.cost <> 0
      ), ledger AS (
        INSERT INTO ledger_entries (account_id, amount, balance_after, kind, description, reference_type, reference_id, idempotency_key, created_at)
        SELECT p.account_id, p.amount, p.balance_after, 'call_charge', p.description, 'call', p.stored_call_id,
               'call:' || p.call_uuid || ':' || p.account_id, p_now
          FROM posting p ORDER BY p.seq
        RETURNING id, account_id, reference_id
      ), charged AS (
        INSERT INTO call_charges (call_id, account_id, level, role, terms, cost, billed_seconds, breakdown, ledger_entry_id)
        SELECT ch.stored_call_id, ch.account_id, ch.level, ch.role, ch.terms, ch.cost, ch.billed_seconds, ch.breakdown, l.id
          FROM charge ch LEFT JOIN ledger l ON l.reference_id = ch.stored_call_id AND l.account_id = ch.account_id
      ), balance AS (
        UPDATE accounts a SET balance = last.balance_after, updated_at = p_now
          FROM (SELECT DISTINCT ON (p.account_id) p.account_id, p.balance_after FROM posting p ORDER BY p.account_id, p.seq DESC) last
         WHERE a.id = last.account_id
      )
      SELECT n.id, n.uuid FROM new_call n;

      -- Every CDR that reached us ends its call, stored now or before: free its slot, and drop the
      -- expired slots of its number (calls whose CDR never came) while here.
      DELETE FROM call_slots s WHERE s.call_uuid = ANY(p_ended_calls);
      DELETE FROM call_slots s WHERE s.product_id = ANY(p_product_ids) AND s.expires_at <= p_now;
    END
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS charge_cdr_batch(cdr_call[], cdr_charge[], text[], bigint[], timestamptz)');
  await knex.raw('DROP TYPE IF EXISTS cdr_charge');
  await knex.raw('DROP TYPE IF EXISTS cdr_call');
}
