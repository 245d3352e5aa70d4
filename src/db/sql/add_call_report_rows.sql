-- Keeps the report rollups in step with call charges: an AFTER INSERT trigger on call_charges,
-- once per statement, so a batch of CDRs (charge_cdr_batch) adds its charges grouped, in the
-- transaction that charged them. Rows are upserted in key order, so two batches that touch the
-- same day, account and number queue on it rather than deadlock. The facts come from the view
-- report_call_facts, the one definition the rebuild (rebuild_report_rollups) reads too.
CREATE OR REPLACE FUNCTION add_call_report_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  WITH f AS (
    SELECT rf.* FROM report_call_facts rf
     WHERE (rf.call_id, rf.level) IN (SELECT n.call_id, n.level FROM new_charges n)
  ), by_number AS (
    INSERT INTO report_number_days AS r (day, account_id, product_id, seller_id, operator_sale, reseller_id, provider_id, country,
                                         calls, billed_seconds, call_amount, fee_amount, provider_cost)
    SELECT f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
           count(*), sum(f.billed_seconds), sum(f.amount), 0, 0
      FROM f GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3
    ON CONFLICT (day, account_id, product_id) DO UPDATE
       SET calls = r.calls + excluded.calls, billed_seconds = r.billed_seconds + excluded.billed_seconds,
           call_amount = r.call_amount + excluded.call_amount
  ), last_call AS (
    INSERT INTO report_number_last_calls AS l (product_id, last_call_day)
    SELECT f.product_id, max(f.day) FROM f WHERE f.level = 0 GROUP BY 1 ORDER BY 1
    ON CONFLICT (product_id) DO UPDATE SET last_call_day = greatest(l.last_call_day, excluded.last_call_day)
  )
  INSERT INTO report_account_days AS r (day, account_id, provider_id, country, seller_id, operator_sale, reseller_id,
                                        calls, billed_seconds, call_amount, fee_amount, provider_cost)
  SELECT f.day, f.account_id, f.provider_id, f.country, f.seller_id, f.operator_sale, f.reseller_id,
         count(*), sum(f.billed_seconds), sum(f.amount), 0, 0
    FROM f GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4
  ON CONFLICT (day, account_id, provider_id, country) DO UPDATE
     SET calls = r.calls + excluded.calls, billed_seconds = r.billed_seconds + excluded.billed_seconds,
         call_amount = r.call_amount + excluded.call_amount;
  RETURN NULL;
END
$$;
