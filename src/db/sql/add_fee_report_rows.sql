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
  WITH f AS (
    SELECT rf.* FROM report_fee_facts rf
     WHERE rf.ledger_entry_id IN (SELECT n.id FROM new_entries n WHERE n.reference_type = 'subscription')
  ), by_number AS (
    INSERT INTO report_number_days AS r (day, account_id, product_id, seller_id, operator_sale, reseller_id, provider_id, country,
                                         calls, billed_seconds, call_amount, fee_amount, provider_cost)
    SELECT f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
           0, 0, 0, sum(f.amount), sum(f.provider_cost)
      FROM f GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3
    ON CONFLICT (day, account_id, product_id) DO UPDATE
       SET fee_amount = r.fee_amount + excluded.fee_amount, provider_cost = r.provider_cost + excluded.provider_cost
  )
  INSERT INTO report_account_days AS r (day, account_id, provider_id, country, seller_id, operator_sale, reseller_id,
                                        calls, billed_seconds, call_amount, fee_amount, provider_cost)
  SELECT f.day, f.account_id, f.provider_id, f.country, f.seller_id, f.operator_sale, f.reseller_id,
         0, 0, 0, sum(f.amount), sum(f.provider_cost)
    FROM f GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4
  ON CONFLICT (day, account_id, provider_id, country) DO UPDATE
     SET fee_amount = r.fee_amount + excluded.fee_amount, provider_cost = r.provider_cost + excluded.provider_cost;
  RETURN NULL;
END
$$;
