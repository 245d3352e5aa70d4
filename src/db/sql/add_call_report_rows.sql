-- Keeps the report rollups in step with call charges: an AFTER INSERT trigger on call_charges,
-- once per statement, so a batch of CDRs (charge_cdr_batch) adds its charges grouped, in the
-- transaction that charged them. The facts are those of the view report_call_facts, which the
-- rebuild (rebuild_report_rollups) reads.
CREATE OR REPLACE FUNCTION add_call_report_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The facts of report_call_facts, computed from the new rows themselves (the rebuild reads the
  -- view; a test holds the two equal): each new charge finds its call, product and accounts by
  -- primary key (OFFSET 0 keeps the lateral from being flattened into a join the planner may turn
  -- into scans), instead of filtering the view by an IN list, which can read every charge.
  PERFORM add_report_rows(ARRAY(
    SELECT ROW(f.day, n.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
               count(*)::int, sum(n.billed_seconds)::bigint, sum(n.cost), 0, 0)::report_row
      FROM new_charges n
      CROSS JOIN LATERAL (
        SELECT (c.started_at AT TIME ZONE 'UTC')::date AS day, c.product_id,
               a.parent_id AS seller_id, (s.role = 'admin') AS operator_sale,
               CASE WHEN a.role = 'reseller' THEN a.id WHEN s.role = 'reseller' THEN s.id END AS reseller_id,
               coalesce(p.provider_id, 0) AS provider_id, coalesce(p.country, '') AS country
          FROM calls c
          JOIN products p ON p.id = c.product_id
          JOIN accounts a ON a.id = n.account_id
          JOIN accounts s ON s.id = a.parent_id
         WHERE c.id = n.call_id
        OFFSET 0) f
     GROUP BY f.day, n.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country));
  RETURN NULL;
END
$$;
