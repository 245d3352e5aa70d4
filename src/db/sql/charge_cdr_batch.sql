-- Charging a batch of CDRs in one statement: charge_cdr_batch locks the accounts to be charged,
-- stores the calls, writes each charge to its ledger and to call_charges, sets the balances, ends
-- the calls' slots and gives back what they reserved, then commits, without a round trip to the
-- app in between (batches queue on the accounts they charge, so the time they hold those locks
-- bounds CDRs per second: see the migration 20261129220000).
--
-- The rules are those of postLedgerEntry, applied to many rows: accounts locked in id order
-- before anything else (so batches queue rather than deadlock; calls are inserted in uuid order
-- for the same reason when two batches carry the same CDR), each ledger row carries the running
-- balance after it in the batch's order, each balance is set once to its last balance_after, so
-- balance = sum(ledger) holds at the commit. A CDR whose uuid is already stored (a replay, or a
-- concurrent batch that won) is skipped with all its charges; the calls stored are returned.
--
-- Settlement: every CDR that reached us ends its call, stored now or before, so its slot goes and
-- the reservations it held are released (account_reservations, rows locked in id order after the
-- accounts, as every writer of reservations does). A slot deleted once releases once: a replay
-- finds none. Each charge records what its level had reserved (call_charges.reserved; null when
-- the call was never authorised or its reservation had expired, and an expired one is listed in
-- expired_call_reservations).
CREATE OR REPLACE FUNCTION charge_cdr_batch(p_calls cdr_call[], p_charges cdr_charge[], p_ended_calls text[], p_now timestamptz)
RETURNS TABLE (call_id bigint, call_uuid text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM 1 FROM accounts a
    WHERE a.id IN (SELECT c.account_id FROM unnest(p_charges) c WHERE c.cost <> 0
                   UNION SELECT s.account_id FROM call_slots s WHERE s.call_uuid = ANY(p_ended_calls)
                   UNION SELECT s.reseller_id FROM call_slots s WHERE s.call_uuid = ANY(p_ended_calls))
    ORDER BY a.id FOR NO KEY UPDATE;
  PERFORM 1 FROM account_reservations r
    WHERE r.account_id IN (SELECT s.account_id FROM call_slots s WHERE s.call_uuid = ANY(p_ended_calls)
                           UNION SELECT s.reseller_id FROM call_slots s WHERE s.call_uuid = ANY(p_ended_calls))
    ORDER BY r.account_id FOR UPDATE;

  -- A new statement: its snapshot sees the balances and slots as the locks left them.
  RETURN QUERY
  WITH new_call AS (
    INSERT INTO calls (uuid, switch_id, source, product_id, number, caller, owner_id, reseller_id, started_at, answered_at,
                       ended_at, duration_seconds, billsec, hangup_cause, cost, billed_seconds, received_at)
    SELECT c.uuid, c.switch_id, c.source, c.product_id, c.number, c.caller, c.owner_id, c.reseller_id, c.started_at, c.answered_at,
           c.ended_at, c.duration_seconds, c.billsec, c.hangup_cause, c.cost, c.billed_seconds, p_now
      FROM unnest(p_calls) c ORDER BY c.uuid
    ON CONFLICT (uuid) DO NOTHING
    RETURNING id, uuid
  ), slot AS (
    DELETE FROM call_slots s WHERE s.call_uuid = ANY(p_ended_calls) RETURNING s.*
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
    INSERT INTO call_charges (call_id, account_id, level, role, terms, cost, billed_seconds, breakdown, ledger_entry_id, reserved)
    SELECT ch.stored_call_id, ch.account_id, ch.level, ch.role, ch.terms, ch.cost, ch.billed_seconds, ch.breakdown, l.id,
           CASE WHEN sl.expires_at > p_now AND ch.level = 0 AND sl.account_id = ch.account_id THEN sl.owner_reserved
                WHEN sl.expires_at > p_now AND ch.level = 1 AND sl.reseller_id = ch.account_id THEN sl.reseller_reserved END
      FROM charge ch
      LEFT JOIN ledger l ON l.reference_id = ch.stored_call_id AND l.account_id = ch.account_id
      LEFT JOIN slot sl ON sl.call_uuid = ch.call_uuid
  ), balance AS (
    UPDATE accounts a SET balance = last.balance_after, updated_at = p_now
      FROM (SELECT DISTINCT ON (p.account_id) p.account_id, p.balance_after FROM posting p ORDER BY p.account_id, p.seq DESC) last
     WHERE a.id = last.account_id
  ), expired AS (
    INSERT INTO expired_call_reservations (call_uuid, product_id, account_id, reseller_id, switch_id, allowed_seconds,
                                           owner_reserved, reseller_reserved, created_at, expires_at, released_at)
    SELECT sl.call_uuid, sl.product_id, sl.account_id, sl.reseller_id, sl.switch_id, sl.allowed_seconds,
           sl.owner_reserved, sl.reseller_reserved, sl.created_at, sl.expires_at, p_now
      FROM slot sl WHERE sl.expires_at <= p_now
    ON CONFLICT ON CONSTRAINT expired_call_reservations_pkey DO NOTHING
  ), released AS (
    UPDATE account_reservations r SET reserved = r.reserved - d.amount
      FROM (SELECT x.account_id, sum(x.amount) AS amount
              FROM (SELECT sl.account_id, sl.owner_reserved AS amount FROM slot sl
                    UNION ALL SELECT sl.reseller_id, sl.reseller_reserved FROM slot sl WHERE sl.reseller_id IS NOT NULL) x
             GROUP BY x.account_id) d
     WHERE r.account_id = d.account_id AND d.amount <> 0
  )
  SELECT n.id, n.uuid FROM new_call n;
END
$$;
