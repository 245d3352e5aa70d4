-- Recomputes the report rollups of the days from p_from to p_to (both included; null: no bound)
-- from the source rows (call_charges and ledger_entries, through the views report_call_facts and
-- report_fee_facts, whose facts the triggers compute from their new rows), after an upgrade or to
-- check them. Locks the rollup tables for its transaction, so no
-- charge adds to a day while it is being recomputed (charges wait for its commit). The rows it
-- writes are compacted. Returns the rows written to report_number_days. The cube's levels are those of add_report_rows.
-- The per-number month totals of every month the range touches are recomputed from the compacted
-- day rows (the levels of compact_report_rollups), so they stay the sums of those rows.
CREATE OR REPLACE FUNCTION rebuild_report_rollups(p_from date, p_to date) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
  low timestamptz := coalesce(p_from::timestamp AT TIME ZONE 'UTC', '-infinity');
  high timestamptz := coalesce((p_to + 1)::timestamp AT TIME ZONE 'UTC', 'infinity');
  first_month date := coalesce(date_trunc('month', p_from)::date, '-infinity');
  last_day date := coalesce((date_trunc('month', p_to) + interval '1 month - 1 day')::date, 'infinity');
BEGIN
  LOCK TABLE report_number_days, report_cube_days, report_number_last_calls, report_number_months IN EXCLUSIVE MODE;
  DELETE FROM report_number_days WHERE day >= coalesce(p_from, '-infinity') AND day <= coalesce(p_to, 'infinity');
  DELETE FROM report_cube_days WHERE day >= coalesce(p_from, '-infinity') AND day <= coalesce(p_to, 'infinity');

  CREATE TEMP TABLE report_rebuild_rows ON COMMIT DROP AS
  SELECT x.day, x.account_id, x.product_id, min(x.seller_id) AS seller_id, bool_or(x.operator_sale) AS operator_sale,
         min(x.reseller_id) AS reseller_id, min(x.provider_id) AS provider_id, min(x.country) AS country,
         sum(x.calls)::int AS calls, sum(x.billed_seconds)::bigint AS billed_seconds, sum(x.call_amount) AS call_amount,
         sum(x.fee_amount) AS fee_amount, sum(x.provider_cost) AS provider_cost
    FROM (
      SELECT f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
             1 AS calls, f.billed_seconds, f.amount AS call_amount, 0 AS fee_amount, 0 AS provider_cost
        FROM report_call_facts f WHERE f.started_at >= low AND f.started_at < high
      UNION ALL
      SELECT f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
             0, 0, 0, f.amount, f.provider_cost
        FROM report_fee_facts f WHERE f.created_at >= low AND f.created_at < high
    ) x
   GROUP BY 1, 2, 3;

  INSERT INTO report_number_days (day, account_id, product_id, seller_id, operator_sale, reseller_id, provider_id, country,
                                  calls, billed_seconds, call_amount, fee_amount, provider_cost, compacted)
  SELECT *, true FROM report_rebuild_rows;
  GET DIAGNOSTICS written = ROW_COUNT;

  -- The cube's finest level first (far fewer rows than per number), then its eight levels from it.
  CREATE TEMP TABLE report_rebuild_cube ON COMMIT DROP AS
  SELECT g.day, g.operator_sale, coalesce(g.reseller_id, 0) AS reseller_id, g.provider_id, g.country,
         sum(g.calls) AS calls, sum(g.billed_seconds) AS billed_seconds, sum(g.call_amount) AS call_amount,
         sum(g.fee_amount) AS fee_amount, sum(g.provider_cost) AS provider_cost
    FROM report_rebuild_rows g GROUP BY 1, 2, 3, 4, 5;

  INSERT INTO report_cube_days (day, level, operator_sale, reseller_id, provider_id, country,
                                calls, billed_seconds, call_amount, fee_amount, provider_cost, compacted)
  SELECT g.day, l.level::smallint, g.operator_sale,
         CASE WHEN l.level & 1 = 1 THEN g.reseller_id ELSE -1 END,
         CASE WHEN l.level & 2 = 2 THEN g.provider_id ELSE -1 END,
         CASE WHEN l.level & 4 = 4 THEN g.country ELSE '*' END,
         sum(g.calls), sum(g.billed_seconds), sum(g.call_amount), sum(g.fee_amount), sum(g.provider_cost), true
    FROM report_rebuild_cube g CROSS JOIN generate_series(0, 7) l(level)
   WHERE g.operator_sale OR l.level & 1 = 1
   GROUP BY 1, 2, 3, 4, 5, 6;

  INSERT INTO report_number_last_calls AS l (product_id, last_call_day)
  SELECT g.product_id, max(g.day) FROM report_rebuild_rows g WHERE g.calls > 0 GROUP BY 1
  ON CONFLICT (product_id) DO UPDATE SET last_call_day = greatest(l.last_call_day, excluded.last_call_day);

  DELETE FROM report_number_months WHERE month >= first_month AND month <= last_day;
  INSERT INTO report_number_months (month, product_id, reseller_id, provider_id, country, calls, billed_seconds, revenue, cost)
  SELECT date_trunc('month', d.day)::date, d.product_id, x.reseller_id, x.provider_id, x.country,
         sum(d.calls), sum(d.billed_seconds), sum(d.call_amount + d.fee_amount), sum(d.provider_cost)
    FROM report_number_days d
   CROSS JOIN LATERAL (VALUES (-1::bigint, -1::bigint, '*'::text), (coalesce(d.reseller_id, 0), d.provider_id, d.country)) x(reseller_id, provider_id, country)
   WHERE d.compacted AND d.operator_sale AND d.day >= first_month AND d.day <= last_day
   GROUP BY 1, 2, 3, 4, 5;

  DROP TABLE report_rebuild_cube;
  DROP TABLE report_rebuild_rows;
  RETURN written;
END
$$;
