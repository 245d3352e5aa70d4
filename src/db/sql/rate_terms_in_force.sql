-- The terms of a number's rate plan in force at `p_at` (services/call-terms.ts decides the same in
-- TypeScript for rating): the version's own terms, or its markup over `p_markup_base` (rounded
-- HALF_UP to 6 places, never below zero, as domain/rate-plans.ts markUp); `p_fallback` when there
-- is no plan or no version in force yet.
CREATE OR REPLACE FUNCTION rate_terms_in_force(p_plan_id bigint, p_at timestamptz, p_markup_base rate_terms, p_fallback rate_terms)
RETURNS rate_terms
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v rate_plan_versions;
BEGIN
  IF p_plan_id IS NULL THEN
    RETURN p_fallback;
  END IF;
  SELECT * INTO v FROM rate_plan_versions pv
   WHERE pv.rate_plan_id = p_plan_id AND pv.effective_from <= p_at
   ORDER BY pv.effective_from DESC LIMIT 1;
  IF NOT FOUND THEN
    RETURN p_fallback;
  END IF;
  IF v.connection_cost IS NOT NULL AND v.cost_per_minute IS NOT NULL THEN
    RETURN ROW(v.connection_cost, coalesce(v.grace_seconds, 0), v.cost_per_minute, coalesce(v.initial_increment, 0), coalesce(v.increment, 0))::rate_terms;
  END IF;
  RETURN ROW(
    greatest(0, round((p_markup_base).connection_cost * (1 + v.connection_markup_percent / 100) + v.connection_markup_amount, 6)),
    (p_markup_base).grace_seconds,
    greatest(0, round((p_markup_base).cost_per_minute * (1 + v.per_minute_markup_percent / 100) + v.per_minute_markup_amount, 6)),
    (p_markup_base).initial_increment,
    (p_markup_base).increment)::rate_terms;
END
$$;
