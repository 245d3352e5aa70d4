-- Ends slots without a CDR and gives their reservations back: the slots of `p_uuids` (a call
-- refused after its slot was taken), and at most `p_expired_limit` slots past their expiry (their
-- CDR never came). An expired one is kept in expired_call_reservations, for the admin's list.
-- The reservations rows of their accounts are locked first, in id order, as every writer of
-- reservations does (see lock_call_reservations). Returns how many slots were released.
CREATE OR REPLACE FUNCTION release_call_slots(p_uuids text[], p_now timestamptz, p_expired_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_targets text[];
  v_count integer;
BEGIN
  v_targets := ARRAY(
    SELECT s.call_uuid FROM call_slots s WHERE s.call_uuid = ANY(p_uuids)
    UNION
    SELECT e.call_uuid FROM (SELECT s.call_uuid FROM call_slots s WHERE s.expires_at <= p_now
                              ORDER BY s.expires_at LIMIT greatest(p_expired_limit, 0)) e);
  IF cardinality(v_targets) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM 1 FROM account_reservations a
   WHERE a.account_id IN (SELECT s.account_id FROM call_slots s WHERE s.call_uuid = ANY(v_targets)
                          UNION SELECT s.reseller_id FROM call_slots s WHERE s.call_uuid = ANY(v_targets))
   ORDER BY a.account_id FOR UPDATE;
  WITH gone AS (
    DELETE FROM call_slots s WHERE s.call_uuid = ANY(v_targets) RETURNING s.*
  ), expired AS (
    INSERT INTO expired_call_reservations (call_uuid, product_id, account_id, reseller_id, switch_id, allowed_seconds,
                                           owner_reserved, reseller_reserved, created_at, expires_at, released_at)
    SELECT g.call_uuid, g.product_id, g.account_id, g.reseller_id, g.switch_id, g.allowed_seconds,
           g.owner_reserved, g.reseller_reserved, g.created_at, g.expires_at, p_now
      FROM gone g WHERE g.expires_at <= p_now
    ON CONFLICT ON CONSTRAINT expired_call_reservations_pkey DO NOTHING
  ), released AS (
    UPDATE account_reservations a SET reserved = a.reserved - d.amount
      FROM (SELECT x.account_id, sum(x.amount) AS amount
              FROM (SELECT g.account_id, g.owner_reserved AS amount FROM gone g
                    UNION ALL SELECT g.reseller_id, g.reseller_reserved FROM gone g WHERE g.reseller_id IS NOT NULL) x
             GROUP BY x.account_id) d
     WHERE a.account_id = d.account_id AND d.amount <> 0
  )
  SELECT count(*) INTO v_count FROM gone;
  RETURN v_count;
END
$$;
