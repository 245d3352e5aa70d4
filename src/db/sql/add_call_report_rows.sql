-- Keeps the report rollups in step with call charges: an AFTER INSERT trigger on call_charges,
-- once per statement, so a batch of CDRs (charge_cdr_batch) adds its charges grouped, in the
-- transaction that charged them. The facts come from the view report_call_facts, the one
-- definition the rebuild (rebuild_report_rollups) reads too.
CREATE OR REPLACE FUNCTION add_call_report_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM add_report_rows(ARRAY(
    SELECT ROW(f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
               count(*)::int, sum(f.billed_seconds)::bigint, sum(f.amount), 0, 0)::report_row
      FROM report_call_facts f
     WHERE (f.call_id, f.level) IN (SELECT n.call_id, n.level FROM new_charges n)
     GROUP BY f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country));
  RETURN NULL;
END
$$;
