-- The cost of `p_billed` charged seconds of an answered call: C + R * billed / 60, rounded HALF_UP
-- once to p_decimals places (BILLING.md). Computed as an exact integer division, not with
-- round(): floor((60 C + R billed) * 10^d + 30) / 60) / 10^d is HALF_UP of the exact value, with
-- no inexact division on the way. The same value as domain/rating.ts (test/integration/sql-rating.test.ts).
CREATE OR REPLACE FUNCTION call_billed_cost(p_terms rate_terms, p_billed integer, p_decimals integer)
RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT round(div((60 * (p_terms).connection_cost + (p_terms).cost_per_minute * p_billed) * 10::numeric ^ p_decimals + 30, 60)
               / 10::numeric ^ p_decimals, p_decimals)
$$;
