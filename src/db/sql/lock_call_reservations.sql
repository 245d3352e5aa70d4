-- Money reserved for calls in progress, per account, and the funds left available: balance, plus
-- the credit limit when postpaid, minus the live reservations (BILLING.md "Accounts and funds").
-- account_reservations.reserved is the sum of every slot's reservation on the account, kept by
-- whoever inserts or deletes a slot while holding the row's lock; a slot past its expiry no
-- longer counts even before release_call_slots deletes it, so its amount is taken off here.
--
-- With p_lock, the accounts' rows of account_reservations are locked first, in id order (rows
-- created as needed), and the amounts are read after the locks: every writer of reservations or
-- of a balance that must not spend them (route requests, CDR settlement, purchases, renewals,
-- expiry) holds these locks, so what is read here stays true until the caller commits.
CREATE OR REPLACE FUNCTION lock_call_reservations(p_account_ids bigint[], p_now timestamptz, p_lock boolean)
RETURNS TABLE (account_id bigint, reserved numeric, available numeric)
LANGUAGE plpgsql VOLATILE SET enable_seqscan = off AS $$
BEGIN
  IF p_lock THEN
    INSERT INTO account_reservations AS a (account_id)
    SELECT DISTINCT k FROM unnest(p_account_ids) k WHERE k IS NOT NULL ORDER BY 1
    ON CONFLICT ON CONSTRAINT account_reservations_pkey DO NOTHING;
    PERFORM 1 FROM account_reservations a WHERE a.account_id = ANY(p_account_ids) ORDER BY a.account_id FOR UPDATE;
  END IF;
  RETURN QUERY
  SELECT acc.id, live.amount,
         acc.balance + CASE WHEN acc.billing_mode = 'postpaid' THEN acc.credit_limit ELSE 0 END - live.amount
    FROM accounts acc
    LEFT JOIN account_reservations a ON a.account_id = acc.id
   CROSS JOIN LATERAL (
     SELECT coalesce(a.reserved, 0)
            - coalesce((SELECT sum(s.owner_reserved) FROM call_slots s WHERE s.account_id = acc.id AND s.expires_at <= p_now), 0)
            - coalesce((SELECT sum(s.reseller_reserved) FROM call_slots s WHERE s.reseller_id = acc.id AND s.expires_at <= p_now), 0)
              AS amount) live
   WHERE acc.id = ANY(p_account_ids);
END
$$;
