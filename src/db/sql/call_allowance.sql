-- The longest call, in whole seconds, whose rounded cost fits `p_funds`, capped by `p_cap`: the
-- same answer as maxDuration in domain/rating.ts (test/integration/sql-rating.test.ts compares
-- them), computed in closed form because it runs for every level of every route request.
-- seconds is null when the call is refused: `short` says what the funds do not cover ('initial':
-- the connection cost plus the initial increment; 'increment': the first increment) and `needed`
-- what that costs.
--
-- A block of billed seconds b fits when round_half_up((60 C + R b) / 60, d) <= funds, that is
-- (60 C + R b) 10^d + 30 < 60 (floor(funds 10^d) + 1), that is R b 10^d < z below: integer-exact
-- comparisons, no division, so no rounding of intermediates can move the answer.
CREATE OR REPLACE FUNCTION call_allowance(p_terms rate_terms, p_funds numeric, p_cap integer, p_decimals integer,
                                          OUT seconds integer, OUT needed numeric, OUT short text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_rate numeric := (p_terms).cost_per_minute;
  v_grace integer := (p_terms).grace_seconds;
  v_initial integer := CASE WHEN (p_terms).initial_increment < 1 THEN 0 ELSE (p_terms).initial_increment END;
  v_size integer := greatest((p_terms).increment, 1);
  v_scale numeric := 10::numeric ^ p_decimals;
  v_z numeric;
  v_beyond integer;
  v_k_cap integer;
  v_k integer;
BEGIN
  IF (p_terms).connection_cost = 0 AND v_rate = 0 THEN
    seconds := p_cap;
    RETURN;
  END IF;
  v_z := 60 * (floor(p_funds * v_scale) + 1) - 30 - 60 * (p_terms).connection_cost * v_scale;
  IF NOT (v_rate * v_initial * v_scale < v_z) THEN
    needed := call_billed_cost(p_terms, v_initial, p_decimals);
    short := 'initial';
    RETURN;
  END IF;
  -- Billed seconds take the values initial + k * size; block k ends at second grace + initial + k * size.
  v_beyond := p_cap - v_grace - v_initial;
  v_k_cap := CASE WHEN v_beyond <= 0 THEN 0 ELSE (v_beyond + v_size - 1) / v_size END;
  IF v_rate * (v_initial + v_k_cap::numeric * v_size) * v_scale < v_z THEN
    seconds := p_cap;
    RETURN;
  END IF;
  -- Here v_rate > 0 (with no rate every block fits once the first does). The largest k below
  -- v_k_cap with R (initial + k size) 10^d < z: estimated by division, then made exact.
  v_k := least(v_k_cap - 1, greatest(0, ceil((v_z / (v_rate * v_scale) - v_initial) / v_size) - 1))::integer;
  WHILE v_k + 1 < v_k_cap AND v_rate * (v_initial + (v_k + 1)::numeric * v_size) * v_scale < v_z LOOP
    v_k := v_k + 1;
  END LOOP;
  WHILE v_k > 0 AND NOT (v_rate * (v_initial + v_k::numeric * v_size) * v_scale < v_z) LOOP
    v_k := v_k - 1;
  END LOOP;
  seconds := v_grace + v_initial + v_k * v_size;
  IF seconds < 1 THEN
    seconds := NULL;
    needed := call_billed_cost(p_terms, v_size, p_decimals);
    short := 'increment';
  END IF;
END
$$;
