-- Keeps the report rollups in step with the fees a number's buyer is charged (setup, each period,
-- a release credit): an AFTER INSERT trigger on ledger_entries, once per statement, so a purchase,
-- a renewal or a billing run's batch adds its fees in its own transaction. Other postings
-- (payments, calls, taxes) pass through untouched. Facts from the view report_fee_facts.
CREATE OR REPLACE FUNCTION add_fee_report_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_entries n WHERE n.reference_type = 'subscription') THEN
    RETURN NULL;
  END IF;
  PERFORM add_report_rows(ARRAY(
    SELECT ROW(f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
               0, 0, 0, sum(f.amount), sum(f.provider_cost))::report_row
      FROM report_fee_facts f
     WHERE f.ledger_entry_id IN (SELECT n.id FROM new_entries n WHERE n.reference_type = 'subscription')
     GROUP BY f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country));
  RETURN NULL;
END
$$;
