-- Adds charges, grouped per day, account and number (report_row, see migration 20261202130000),
-- to the report rollups: report_number_days, every level of report_cube_days (the operator's
-- sales at all eight, a reseller's at the four that keep the tree) and the numbers' last call
-- day. Called by the triggers on call_charges and ledger_entries, in the charging transaction.
-- The rollups get new rows only (compacted = false): no charging transaction waits on another's
-- row of the same day; compact_report_rollups folds them later. The last call days are upserted
-- in product order (one row per number, touched only by calls to that number).
CREATE OR REPLACE FUNCTION add_report_rows(p_rows report_row[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  WITH g AS (
    SELECT * FROM unnest(p_rows)
  ), by_number AS (
    INSERT INTO report_number_days (day, account_id, product_id, seller_id, operator_sale, reseller_id, provider_id, country,
                                    calls, billed_seconds, call_amount, fee_amount, provider_cost)
    SELECT g.day, g.account_id, g.product_id, min(g.seller_id), bool_or(g.operator_sale), min(g.reseller_id), min(g.provider_id), min(g.country),
           sum(g.calls), sum(g.billed_seconds), sum(g.call_amount), sum(g.fee_amount), sum(g.provider_cost)
      FROM g GROUP BY 1, 2, 3
  ), last_call AS (
    INSERT INTO report_number_last_calls AS l (product_id, last_call_day)
    SELECT g.product_id, max(g.day) FROM g WHERE g.calls > 0 GROUP BY 1 ORDER BY 1
    ON CONFLICT (product_id) DO UPDATE SET last_call_day = greatest(l.last_call_day, excluded.last_call_day)
  )
  INSERT INTO report_cube_days (day, level, operator_sale, reseller_id, provider_id, country,
                                calls, billed_seconds, call_amount, fee_amount, provider_cost)
  SELECT g.day, l.level::smallint, g.operator_sale,
         CASE WHEN l.level & 1 = 1 THEN coalesce(g.reseller_id, 0) ELSE -1 END,
         CASE WHEN l.level & 2 = 2 THEN g.provider_id ELSE -1 END,
         CASE WHEN l.level & 4 = 4 THEN g.country ELSE '*' END,
         sum(g.calls), sum(g.billed_seconds), sum(g.call_amount), sum(g.fee_amount), sum(g.provider_cost)
    FROM g CROSS JOIN generate_series(0, 7) l(level)
   WHERE g.operator_sale OR l.level & 1 = 1
   GROUP BY 1, 2, 3, 4, 5, 6;
END
$$;
