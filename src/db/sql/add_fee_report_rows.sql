-- Keeps the report rollups in step with the fees a number's buyer is charged (setup, each period,
-- a release credit): an AFTER INSERT trigger on ledger_entries, once per statement, so a purchase,
-- a renewal or a billing run's batch adds its fees in its own transaction. Other postings
-- (payments, calls, taxes) pass through untouched. Facts as the view report_fee_facts has them.
CREATE OR REPLACE FUNCTION add_fee_report_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_entries n WHERE n.reference_type = 'subscription') THEN
    RETURN NULL;
  END IF;
  -- The facts of report_fee_facts, computed from the new rows themselves (the rebuild reads the
  -- view; a test holds the two equal). Each new row finds its subscription, product and accounts
  -- by primary key (OFFSET 0 keeps the lateral from being flattened into a join the planner may
  -- turn into scans): the view filtered by an IN list read every subscription ledger row per
  -- statement, so a purchase cost as much as the whole ledger.
  PERFORM add_report_rows(ARRAY(
    SELECT ROW(f.day, n.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
               0, 0, 0, sum(-n.amount), sum(f.provider_cost))::report_row
      FROM new_entries n
      CROSS JOIN LATERAL (
        SELECT (n.created_at AT TIME ZONE 'UTC')::date AS day, sub.product_id,
               a.parent_id AS seller_id, (s.role = 'admin') AS operator_sale,
               CASE WHEN a.role = 'reseller' THEN a.id WHEN s.role = 'reseller' THEN s.id END AS reseller_id,
               coalesce(p.provider_id, 0) AS provider_id, coalesce(p.country, '') AS country,
               CASE WHEN s.role = 'admin' AND n.kind = 'recurring_fee' THEN p.buy_cost ELSE 0 END AS provider_cost
          FROM subscriptions sub
          JOIN products p ON p.id = sub.product_id
          JOIN accounts a ON a.id = n.account_id
          JOIN accounts s ON s.id = a.parent_id
         WHERE sub.id = n.reference_id
        OFFSET 0) f
     WHERE n.reference_type = 'subscription' AND n.kind IN ('setup_fee', 'recurring_fee', 'refund')
     GROUP BY f.day, n.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country));
  RETURN NULL;
END
$$;
