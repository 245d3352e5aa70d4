-- Route requests in one statement: for each request, a concurrency slot and the credit the call
-- may spend, reserved at every level of its chain, or the reason it gets neither.
--
-- Locks, all taken before anything is counted or reserved, each kind in one global order: the
-- advisory locks of the numbers and accounts whose concurrent-call limits apply (numbers by key,
-- then accounts by key), then the rows of account_reservations of every account in the batch
-- (lock_call_reservations, id order). Two batches, a batch and a CDR settlement, a purchase or an
-- expiry cannot hold what the other waits for. Each count reads a fresh snapshot (VOLATILE
-- plpgsql), so it includes the slots committed by whoever held the locks before.
--
-- Money: each account's available funds are read once, after the locks, and lowered by every
-- reservation this batch makes, in request order, so a call's allowance is computed from the funds
-- left after all the reservations before it (call_allowance, the longest affordable call at each
-- level, the shortest of them; each level then reserves that call's cost at its own terms). A call
-- the funds cannot start is refused with what was short; nothing is reserved for it, and nothing
-- for a call refused by a limit.
--
-- enable_seqscan = off: plpgsql keeps each statement's plan for the connection's life, and a plan
-- made while call_slots was nearly empty counts slots by reading the whole table (measured: 0.14
-- ms per request grew to 1.4 ms within 10 s of load). The counts must use their indexes at any size.
--
-- Returns, for each request tried, its position (ord), the live slots counted on each limit that
-- applies (0 where none does), whether the call already held a slot (the switch asked twice: its
-- allowance and reservations are returned again) and whether one was taken now, the allowance and
-- the amounts reserved; or short_level (0 the owner, 1 the reseller) with the funds it had, what
-- starting the call costs and which part ('initial' or 'increment') they do not cover.
CREATE OR REPLACE FUNCTION take_call_slots(p_requests call_slot_request[])
RETURNS TABLE (ord integer, did bigint, owner bigint, reseller bigint, held boolean, taken boolean,
               allowed_seconds integer, owner_reserved numeric, reseller_reserved numeric,
               short_level smallint, short_funds numeric, short_needed numeric, short_what text)
LANGUAGE plpgsql VOLATILE SET enable_seqscan = off AS $$
DECLARE
  r call_slot_request;
  v_key integer;
  v_inserted integer;
  v_now timestamptz;
  v_accounts bigint[];
  v_start numeric[];
  v_funds numeric[];
  v_owner_at integer;
  v_reseller_at integer;
  v_allowance record;
BEGIN
  -- A slot is short-lived and a lost one errs on the caller's side (a crash forgets the slots and
  -- reservations of its last milliseconds; those calls are charged by their CDRs like calls never
  -- authorised): this transaction does not wait for the disk.
  PERFORM set_config('synchronous_commit', 'off', true);
  FOR v_key IN
    SELECT DISTINCT (q.product_id % 2147483647)::integer FROM unnest(p_requests) q
     WHERE q.try AND q.did_limit > 0 ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(7301, v_key);
  END LOOP;
  FOR v_key IN
    SELECT DISTINCT k FROM (
      SELECT (q.account_id % 2147483647)::integer AS k FROM unnest(p_requests) q WHERE q.try AND q.owner_limit > 0
      UNION ALL
      SELECT (q.reseller_id % 2147483647)::integer FROM unnest(p_requests) q
       WHERE q.try AND q.reseller_limit > 0 AND q.reseller_id IS NOT NULL) keys
     ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(7302, v_key);
  END LOOP;

  SELECT min(q.at) INTO v_now FROM unnest(p_requests) q WHERE q.try;
  IF v_now IS NULL THEN
    RETURN;
  END IF;
  SELECT array_agg(f.account_id ORDER BY f.account_id), array_agg(f.available ORDER BY f.account_id)
    INTO v_accounts, v_start
    FROM lock_call_reservations(ARRAY(
           SELECT q.account_id FROM unnest(p_requests) q WHERE q.try
           UNION SELECT q.reseller_id FROM unnest(p_requests) q WHERE q.try AND q.reseller_id IS NOT NULL), v_now, true) f;
  v_funds := v_start;

  FOREACH r IN ARRAY p_requests LOOP
    CONTINUE WHEN r.try IS NOT TRUE;
    ord := r.ord;
    did := 0;
    owner := 0;
    reseller := 0;
    v_inserted := 0;
    short_level := NULL;
    short_funds := NULL;
    short_needed := NULL;
    short_what := NULL;
    SELECT s.allowed_seconds, s.owner_reserved, s.reseller_reserved INTO allowed_seconds, owner_reserved, reseller_reserved
      FROM call_slots s WHERE s.call_uuid = r.call_uuid AND s.expires_at > r.at;
    held := FOUND;
    IF held THEN
      taken := false;
      RETURN NEXT;
      CONTINUE;
    END IF;
    -- (SELECT INTO found no row: it set these to null.)
    allowed_seconds := NULL;
    owner_reserved := 0;
    reseller_reserved := 0;

    v_owner_at := array_position(v_accounts, r.account_id);
    SELECT * INTO v_allowance FROM call_allowance(r.owner_terms, v_funds[v_owner_at], r.cap_seconds, r.decimals);
    IF v_allowance.seconds IS NULL THEN
      short_level := 0;
      short_funds := v_funds[v_owner_at];
    ELSE
      allowed_seconds := v_allowance.seconds;
      IF r.reseller_id IS NOT NULL THEN
        v_reseller_at := array_position(v_accounts, r.reseller_id);
        SELECT * INTO v_allowance FROM call_allowance(r.reseller_terms, v_funds[v_reseller_at], r.cap_seconds, r.decimals);
        IF v_allowance.seconds IS NULL THEN
          short_level := 1;
          short_funds := v_funds[v_reseller_at];
        ELSE
          allowed_seconds := least(allowed_seconds, v_allowance.seconds);
        END IF;
      END IF;
    END IF;
    IF short_level IS NOT NULL THEN
      allowed_seconds := NULL;
      short_needed := v_allowance.needed;
      short_what := v_allowance.short;
      taken := false;
      RETURN NEXT;
      CONTINUE;
    END IF;

    IF r.did_limit > 0 THEN
      SELECT count(*) INTO did FROM call_slots s WHERE s.product_id = r.product_id AND s.expires_at > r.at;
    END IF;
    -- An account's calls are those to numbers it owns and, for a reseller, its customers' too.
    IF r.owner_limit > 0 THEN
      SELECT (SELECT count(*) FROM call_slots s WHERE s.account_id = r.account_id AND s.expires_at > r.at)
           + (SELECT count(*) FROM call_slots s WHERE s.reseller_id = r.account_id AND s.expires_at > r.at)
        INTO owner;
    END IF;
    IF r.reseller_limit > 0 AND r.reseller_id IS NOT NULL THEN
      SELECT (SELECT count(*) FROM call_slots s WHERE s.account_id = r.reseller_id AND s.expires_at > r.at)
           + (SELECT count(*) FROM call_slots s WHERE s.reseller_id = r.reseller_id AND s.expires_at > r.at)
        INTO reseller;
    END IF;
    IF (r.did_limit = 0 OR did < r.did_limit)
       AND (r.owner_limit = 0 OR owner < r.owner_limit)
       AND (r.reseller_limit = 0 OR reseller < r.reseller_limit) THEN
      owner_reserved := call_cost(r.owner_terms, allowed_seconds, r.decimals);
      IF r.reseller_id IS NOT NULL THEN
        reseller_reserved := call_cost(r.reseller_terms, allowed_seconds, r.decimals);
      END IF;
      -- The call cannot outlast its ring time and its allowance: past that (and a margin for a
      -- late CDR) the slot and its reservations stop counting even if the CDR never arrives.
      INSERT INTO call_slots (call_uuid, product_id, account_id, reseller_id, switch_id, created_at, expires_at,
                              allowed_seconds, owner_reserved, reseller_reserved)
      VALUES (r.call_uuid, r.product_id, r.account_id, r.reseller_id, r.switch_id, r.at,
              r.at + make_interval(secs => r.ring_seconds + allowed_seconds + r.margin_seconds),
              allowed_seconds, owner_reserved, reseller_reserved)
      ON CONFLICT (call_uuid) DO NOTHING;
      GET DIAGNOSTICS v_inserted = ROW_COUNT;
      IF v_inserted > 0 THEN
        v_funds[v_owner_at] := v_funds[v_owner_at] - owner_reserved;
        IF r.reseller_id IS NOT NULL THEN
          v_funds[v_reseller_at] := v_funds[v_reseller_at] - reseller_reserved;
        END IF;
      ELSE
        -- The call's own slot, expired, is still there (the switch reused the uuid): it goes
        -- through unreserved, as a call never authorised would be charged.
        owner_reserved := 0;
        reseller_reserved := 0;
      END IF;
    ELSE
      owner_reserved := 0;
      reseller_reserved := 0;
    END IF;
    taken := v_inserted > 0;
    RETURN NEXT;
  END LOOP;

  UPDATE account_reservations a SET reserved = a.reserved + (f.start - f.left_over)
    FROM unnest(v_accounts, v_start, v_funds) AS f(account_id, start, left_over)
   WHERE a.account_id = f.account_id AND f.start <> f.left_over;
END
$$;
