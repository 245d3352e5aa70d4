-- Adds charges, grouped per day, account and number (report_row, see migration 20261202130000),
-- to the report rollups: report_number_days, every level of report_cube_days (the operator's
-- sales at all eight, a reseller's at the four that keep the tree) and the numbers' last call
-- day. Called by the triggers on call_charges and ledger_entries, in the charging transaction.
-- Rows are upserted in key order, so two transactions that add to the same rows queue on them
-- rather than deadlock.
CREATE OR REPLACE FUNCTION add_report_rows(p_rows report_row[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  WITH g AS (
    SELECT * FROM unnest(p_rows)
  ), by_number AS (
    INSERT INTO report_number_days AS r (day, account_id, product_id, seller_id, operator_sale, reseller_id, provider_id, country,
                                         calls, billed_seconds, call_amount, fee_amount, provider_cost)
    SELECT g.day, g.account_id, g.product_id, min(g.seller_id), bool_or(g.operator_sale), min(g.reseller_id), min(g.provider_id), min(g.country),
           sum(g.calls), sum(g.billed_seconds), sum(g.call_amount), sum(g.fee_amount), sum(g.provider_cost)
      FROM g GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, account_id, product_id) DO UPDATE
       SET calls = r.calls + excluded.calls, billed_seconds = r.billed_seconds + excluded.billed_seconds,
           call_amount = r.call_amount + excluded.call_amount, fee_amount = r.fee_amount + excluded.fee_amount,
           provider_cost = r.provider_cost + excluded.provider_cost
  ), last_call AS (
    INSERT INTO report_number_last_calls AS l (product_id, last_call_day)
    SELECT g.product_id, max(g.day) FROM g WHERE g.calls > 0 GROUP BY 1 ORDER BY 1
    ON CONFLICT (product_id) DO UPDATE SET last_call_day = greatest(l.last_call_day, excluded.last_call_day)
  )
  INSERT INTO report_cube_days AS r (day, level, operator_sale, reseller_id, provider_id, country,
                                     calls, billed_seconds, call_amount, fee_amount, provider_cost)
  SELECT g.day, l.level::smallint, g.operator_sale,
         CASE WHEN l.level & 1 = 1 THEN coalesce(g.reseller_id, 0) ELSE -1 END,
         CASE WHEN l.level & 2 = 2 THEN g.provider_id ELSE -1 END,
         CASE WHEN l.level & 4 = 4 THEN g.country ELSE '*' END,
         sum(g.calls), sum(g.billed_seconds), sum(g.call_amount), sum(g.fee_amount), sum(g.provider_cost)
    FROM g CROSS JOIN generate_series(0, 7) l(level)
   WHERE g.operator_sale OR l.level & 1 = 1
   GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, level, operator_sale, reseller_id, provider_id, country) DO UPDATE
     SET calls = r.calls + excluded.calls, billed_seconds = r.billed_seconds + excluded.billed_seconds,
         call_amount = r.call_amount + excluded.call_amount, fee_amount = r.fee_amount + excluded.fee_amount,
         provider_cost = r.provider_cost + excluded.provider_cost;
END
$$;
