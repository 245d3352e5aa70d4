-- Recomputes the report rollups of the days from p_from to p_to (both included; null: no bound)
-- from the source rows (call_charges and ledger_entries, through the same views the triggers
-- read), after an upgrade or to check them. Locks the rollup tables for its transaction, so no
-- charge adds to a day while it is being recomputed. Returns the rows written to
-- report_number_days.
CREATE OR REPLACE FUNCTION rebuild_report_rollups(p_from date, p_to date) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
  low date := coalesce(p_from, '-infinity'::date);
  high date := coalesce(p_to, 'infinity'::date);
BEGIN
  LOCK TABLE report_number_days, report_account_days, report_number_last_calls IN EXCLUSIVE MODE;
  DELETE FROM report_number_days WHERE day BETWEEN low AND high;
  DELETE FROM report_account_days WHERE day BETWEEN low AND high;

  CREATE TEMP TABLE report_rebuild_facts ON COMMIT DROP AS
    SELECT f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
           count(*)::int AS calls, sum(f.billed_seconds)::bigint AS billed_seconds, sum(f.amount) AS call_amount,
           0::numeric AS fee_amount, 0::numeric AS provider_cost
      FROM report_call_facts f
     WHERE f.started_at >= low::timestamp AT TIME ZONE 'UTC' AND f.started_at < (high + 1)::timestamp AT TIME ZONE 'UTC'
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    UNION ALL
    SELECT f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
           0, 0, 0, sum(f.amount), sum(f.provider_cost)
      FROM report_fee_facts f
     WHERE f.created_at >= low::timestamp AT TIME ZONE 'UTC' AND f.created_at < (high + 1)::timestamp AT TIME ZONE 'UTC'
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

  INSERT INTO report_number_days (day, account_id, product_id, seller_id, operator_sale, reseller_id, provider_id, country,
                                  calls, billed_seconds, call_amount, fee_amount, provider_cost)
  SELECT day, account_id, product_id, min(seller_id), bool_or(operator_sale), min(reseller_id), min(provider_id), min(country),
         sum(calls), sum(billed_seconds), sum(call_amount), sum(fee_amount), sum(provider_cost)
    FROM report_rebuild_facts GROUP BY 1, 2, 3;
  GET DIAGNOSTICS written = ROW_COUNT;

  INSERT INTO report_account_days (day, account_id, provider_id, country, seller_id, operator_sale, reseller_id,
                                   calls, billed_seconds, call_amount, fee_amount, provider_cost)
  SELECT day, account_id, provider_id, country, min(seller_id), bool_or(operator_sale), min(reseller_id),
         sum(calls), sum(billed_seconds), sum(call_amount), sum(fee_amount), sum(provider_cost)
    FROM report_rebuild_facts GROUP BY 1, 2, 3, 4;

  INSERT INTO report_number_last_calls AS l (product_id, last_call_day)
  SELECT f.product_id, max(f.day) FROM report_rebuild_facts f WHERE f.calls > 0 GROUP BY 1
  ON CONFLICT (product_id) DO UPDATE SET last_call_day = greatest(l.last_call_day, excluded.last_call_day);

  DROP TABLE report_rebuild_facts;
  RETURN written;
END
$$;
