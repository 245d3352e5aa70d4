-- Folds the rollups' new rows (written by the charging transactions, compacted = false) into one
-- compacted row per key: each table in one statement that deletes the new rows it sees and adds
-- their sums to the compacted rows, so a report reads the same sums before and after. Rows a
-- charge writes meanwhile stay new until the next run. Run by a recurring job in each app process
-- (two runs at once are safe: a row deleted by one is skipped by the other). Returns the new rows folded.
CREATE OR REPLACE FUNCTION compact_report_rollups() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  by_number bigint;
  cube bigint;
BEGIN
  WITH moved AS (
    DELETE FROM report_number_days WHERE NOT compacted RETURNING *
  ), folded AS (
    INSERT INTO report_number_days AS r (day, account_id, product_id, seller_id, operator_sale, reseller_id, provider_id, country,
                                         calls, billed_seconds, call_amount, fee_amount, provider_cost, compacted)
    SELECT m.day, m.account_id, m.product_id, min(m.seller_id), bool_or(m.operator_sale), min(m.reseller_id), min(m.provider_id), min(m.country),
           sum(m.calls), sum(m.billed_seconds), sum(m.call_amount), sum(m.fee_amount), sum(m.provider_cost), true
      FROM moved m GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, account_id, product_id) WHERE compacted DO UPDATE
       SET calls = r.calls + excluded.calls, billed_seconds = r.billed_seconds + excluded.billed_seconds,
           call_amount = r.call_amount + excluded.call_amount, fee_amount = r.fee_amount + excluded.fee_amount,
           provider_cost = r.provider_cost + excluded.provider_cost
  )
  SELECT count(*) INTO by_number FROM moved;

  WITH moved AS (
    DELETE FROM report_cube_days WHERE NOT compacted RETURNING *
  ), folded AS (
    INSERT INTO report_cube_days AS r (day, level, operator_sale, reseller_id, provider_id, country,
                                       calls, billed_seconds, call_amount, fee_amount, provider_cost, compacted)
    SELECT m.day, m.level, m.operator_sale, m.reseller_id, m.provider_id, m.country,
           sum(m.calls), sum(m.billed_seconds), sum(m.call_amount), sum(m.fee_amount), sum(m.provider_cost), true
      FROM moved m GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, level, operator_sale, reseller_id, provider_id, country) WHERE compacted DO UPDATE
       SET calls = r.calls + excluded.calls, billed_seconds = r.billed_seconds + excluded.billed_seconds,
           call_amount = r.call_amount + excluded.call_amount, fee_amount = r.fee_amount + excluded.fee_amount,
           provider_cost = r.provider_cost + excluded.provider_cost
  )
  SELECT count(*) INTO cube FROM moved;
  RETURN by_number + cube;
END
$$;
