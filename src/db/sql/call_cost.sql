-- The rounded cost of a call answered for `p_seconds` (BILLING.md "Rating a call", steps 1 to 6).
CREATE OR REPLACE FUNCTION call_cost(p_terms rate_terms, p_seconds integer, p_decimals integer)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  v_rest integer := p_seconds - (p_terms).grace_seconds;
  v_increment integer := greatest((p_terms).increment, 1);
  v_billed integer := 0;
BEGIN
  IF p_seconds < 1 THEN
    RETURN round(0::numeric, p_decimals);
  END IF;
  IF v_rest > 0 THEN
    v_billed := CASE WHEN (p_terms).initial_increment < 1 THEN 0 ELSE (p_terms).initial_increment END;
    v_rest := v_rest - v_billed;
    IF v_rest > 0 THEN
      v_billed := v_billed + ((v_rest + v_increment - 1) / v_increment) * v_increment;
    END IF;
  END IF;
  RETURN call_billed_cost(p_terms, v_billed, p_decimals);
END
$$;
