// Call rating: the cost of a call, its billed seconds and a readable breakdown, and the longest call
// that available funds allow. The formula and the worked examples are in BILLING.md ("Rating a
// call", "Maximum call duration"). Pure code, no Node-only APIs: a browser cost preview bundles it.
//
// `rateCallReference` is the definition (decimal.js, rounded once). The fast path computes the same
// value with integers: amounts have at most 6 decimals, so with micro-units c = C * 10^6 and
// p = R * 10^6 the exact cost is (60 c + p * billed) / (60 * 10^6), a rational that HALF_UP rounds
// with one integer division. It is used only while every intermediate is a safe integer; beyond
// that the decimal definition answers. Tests compare both across random terms, big values included.
import { Decimal } from 'decimal.js';
import { Money, toPlain } from './money.ts';
import { RatingInputError, parseAmount, parseDuration, parseDecimals, parseRateTerms, parseSeconds, type ParsedRateTerms, type RateTermField, type RateTerms } from './rate-terms.ts';

// Callers import rating's inputs from here too: one module to rate with.
export { MAX_SECONDS, RatingInputError, parseDecimals, parseDuration, parseRateTerms } from './rate-terms.ts';
export type { ParsedRateTerms, RateTermField, RateTerms, RatingField } from './rate-terms.ts';

/**
 * Terms validated and prepared once, for rating many calls: the effective blocks of the formula
 * and, when they are safe integers, the amounts in micro-units.
 */
export class CompiledRateTerms {
  readonly terms: ParsedRateTerms;
  /** `I`, or 0 when `I < 1`. */
  readonly initialBlock: number;
  /** `N`, or 1 when `N < 1`. */
  readonly incrementSize: number;
  /** C * 10^6, when exact and safe; otherwise undefined and the decimal definition is used. */
  readonly connectionMicro: number | undefined;
  /** R * 10^6, likewise. */
  readonly perMinuteMicro: number | undefined;
  readonly zeroRated: boolean;

  constructor(terms: ParsedRateTerms) {
    this.terms = terms;
    this.initialBlock = terms.initialIncrement < 1 ? 0 : terms.initialIncrement;
    this.incrementSize = terms.increment < 1 ? 1 : terms.increment;
    this.connectionMicro = toMicro(terms.connectionCost);
    this.perMinuteMicro = toMicro(terms.perMinute);
    this.zeroRated = terms.connectionCost.isZero() && terms.perMinute.isZero();
  }
}

function toMicro(amount: Decimal): number | undefined {
  const micro = amount.times(1_000_000);
  if (!micro.isInteger()) return undefined;
  const value = micro.toNumber();
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Validates and prepares terms once; rating with the result skips all parsing. */
export function compileTerms(terms: RateTerms | Partial<Record<RateTermField, unknown>>): CompiledRateTerms {
  return new CompiledRateTerms(parseRateTerms(terms));
}

function compiled(terms: RateTerms | CompiledRateTerms): CompiledRateTerms {
  return terms instanceof CompiledRateTerms ? terms : compileTerms(terms);
}

/** Seconds charged at the per-minute rate for an answered duration (BILLING.md steps 1 to 5). */
export function billedSecondsOf(terms: CompiledRateTerms, durationSeconds: number): number {
  if (durationSeconds < 1) return 0;
  let rest = durationSeconds - terms.terms.graceSeconds;
  if (rest <= 0) return 0;
  let billed = terms.initialBlock;
  rest -= billed;
  if (rest > 0) {
    const size = terms.incrementSize;
    const remainder = rest % size;
    billed += remainder === 0 ? rest : rest - remainder + size;
  }
  return billed;
}

// 10^k for k = 0..6 and the divisor 60 * 10^6 / 10^k that turns micro-units * 60 into units of 10^-k.
const DIVISORS = [60_000_000, 6_000_000, 600_000, 60_000, 6_000, 600, 60];

/**
 * The rounded cost of `billed` seconds as a plain string with `decimals` places. Integer path when
 * exact and safe, else the decimal definition; identical results either way.
 */
function costOfBilled(terms: CompiledRateTerms, billed: number, answered: boolean, decimals: number): string {
  if (!answered) return formatUnits(0, decimals);
  const c = terms.connectionMicro;
  const p = terms.perMinuteMicro;
  if (c !== undefined && p !== undefined) {
    // Each operation on doubles rounds monotonically, so a result <= MAX_SAFE_INTEGER means every
    // exact intermediate was below 2^53 and therefore computed exactly.
    const numerator = c * 60 + p * billed;
    if (numerator <= Number.MAX_SAFE_INTEGER) {
      const divisor = DIVISORS[decimals]!;
      const remainder = numerator % divisor;
      let units = (numerator - remainder) / divisor;
      if (remainder * 2 >= divisor) units += 1;
      return formatUnits(units, decimals);
    }
  }
  return exactCost(terms.terms, billed).toFixed(decimals, Decimal.ROUND_HALF_UP);
}

function exactCost(terms: ParsedRateTerms, billed: number): Decimal {
  return new Money(terms.connectionCost).plus(new Money(terms.perMinute).times(billed).dividedBy(60));
}

/** `units` of 10^-decimals as a plain decimal string: formatUnits(13000, 4) is "1.3000". */
function formatUnits(units: number, decimals: number): string {
  const digits = String(units);
  if (decimals === 0) return digits;
  const padded = digits.length > decimals ? digits : '0'.repeat(decimals + 1 - digits.length) + digits;
  const point = padded.length - decimals;
  return `${padded.slice(0, point)}.${padded.slice(point)}`;
}

export interface RatedCall {
  /** Plain decimal string with `decimals` places, e.g. "1.3000". */
  cost: string;
  billedSeconds: number;
}

/**
 * The hot path for many calls: cost and billed seconds, no breakdown. `terms` must come from
 * `compileTerms`; `durationSeconds` and `decimals` are trusted (validate them at the edge).
 */
export function rateCompiled(terms: CompiledRateTerms, durationSeconds: number, decimals: number): RatedCall {
  const billedSeconds = billedSecondsOf(terms, durationSeconds);
  return { cost: costOfBilled(terms, billedSeconds, durationSeconds >= 1, decimals), billedSeconds };
}

/**
 * The definition, in decimal.js: C + R * billed / 60, computed exactly (60 significant digits; the
 * only inexact step, the division by 60, repeats a single digit and cannot move a HALF_UP
 * boundary), rounded once. Kept for tests and as the reference the fast path must equal.
 */
export function rateCallReference(terms: RateTerms, durationSeconds: number, decimals: number): RatedCall {
  const parsed = parseRateTerms(terms);
  const d = parseDuration(durationSeconds);
  const places = parseDecimals(decimals);
  if (d < 1) return { cost: new Money(0).toFixed(places), billedSeconds: 0 };
  let rest = d - parsed.graceSeconds;
  let billed = 0;
  if (rest > 0) {
    const initial = parsed.initialIncrement < 1 ? 0 : parsed.initialIncrement;
    billed = initial;
    rest -= initial;
    if (rest > 0) {
      const size = parsed.increment < 1 ? 1 : parsed.increment;
      billed += Math.ceil(rest / size) * size;
    }
  }
  return { cost: exactCost(parsed, billed).toFixed(places, Decimal.ROUND_HALF_UP), billedSeconds: billed };
}

export interface RatingBreakdown {
  durationSeconds: number;
  /** C when the call was answered, else 0. */
  connectionFee: string;
  /** Free seconds used: min(duration, G) for an answered call. */
  graceSeconds: number;
  /** I when it was charged (the call outlasted the grace time), else 0. */
  initialBlockSeconds: number;
  initialBlockAmount: string;
  /** How many increments after the initial block. */
  increments: number;
  /** Size of one increment in seconds (N, or 1 when N < 1). */
  incrementSeconds: number;
  incrementsAmount: string;
  billedSeconds: number;
  perMinute: string;
  /** The cost: computed exactly from the whole, rounded once. The parts above are each rounded for
   *  display, so with awkward rates they may differ from the total in the last place. */
  total: string;
  decimals: number;
}

export interface RatedCallWithBreakdown extends RatedCall {
  breakdown: RatingBreakdown;
}

/** Cost, billed seconds and a readable breakdown of one call (BILLING.md "Rating a call"). */
export function rateCall(
  terms: RateTerms | CompiledRateTerms,
  durationSeconds: number,
  decimals: number,
): RatedCallWithBreakdown {
  const t = compiled(terms);
  const d = parseDuration(durationSeconds);
  const places = parseDecimals(decimals);
  const { cost, billedSeconds } = rateCompiled(t, d, places);
  const answered = d >= 1;
  const outlastedGrace = answered && d > t.terms.graceSeconds;
  const initialBlockSeconds = outlastedGrace ? t.initialBlock : 0;
  const incrementTotal = billedSeconds - initialBlockSeconds;
  const perMinute = new Money(t.terms.perMinute);
  const amountFor = (seconds: number): string => toPlain(perMinute.times(seconds).dividedBy(60), places);
  return {
    cost,
    billedSeconds,
    breakdown: {
      durationSeconds: d,
      connectionFee: toPlain(answered ? t.terms.connectionCost : 0, places),
      graceSeconds: answered ? Math.min(d, t.terms.graceSeconds) : 0,
      initialBlockSeconds,
      initialBlockAmount: amountFor(initialBlockSeconds),
      increments: incrementTotal / t.incrementSize,
      incrementSeconds: t.incrementSize,
      incrementsAmount: amountFor(incrementTotal),
      billedSeconds,
      perMinute: t.terms.perMinute.toFixed(),
      total: cost,
      decimals: places,
    },
  };
}

/**
 * One line for a person: "connection 0.1000 + grace 10 s free + initial 60 s 0.6000 +
 * 10 × 6 s 0.6000 = 1.3000". Parts that are zero seconds are left out.
 */
export function describeBreakdown(rated: RatedCallWithBreakdown | RatingBreakdown): string {
  const b = 'breakdown' in rated ? rated.breakdown : rated;
  if (b.durationSeconds < 1) return `not answered (0 s) = ${b.total}`;
  const parts = [`connection ${b.connectionFee}`];
  if (b.graceSeconds > 0) parts.push(`grace ${b.graceSeconds} s free`);
  if (b.initialBlockSeconds > 0) parts.push(`initial ${b.initialBlockSeconds} s ${b.initialBlockAmount}`);
  if (b.increments > 0) parts.push(`${b.increments} × ${b.incrementSeconds} s ${b.incrementsAmount}`);
  return `${parts.join(' + ')} = ${b.total}`;
}

export type MaxDurationResult = { allowed: true; seconds: number } | { allowed: false; reason: string };

/**
 * The longest call, in whole seconds, whose rounded cost fits `funds` (the switch charges the
 * rounded cost), capped by `capSeconds`. Refused when the funds do not cover the connection cost
 * plus the initial increment, or cover no answered second at all. Zero-rated terms (C = R = 0)
 * allow the cap. A binary search over increments: about 17 cost evaluations for a 24-hour cap
 * with 1-second increments.
 */
export function maxDuration(
  terms: RateTerms | CompiledRateTerms,
  funds: string | Decimal,
  capSeconds: number,
  decimals: number,
): MaxDurationResult {
  const t = compiled(terms);
  const available = parseAmount('funds', funds, { allowNegative: true });
  const cap = parseSeconds('cap', capSeconds);
  if (cap < 1) throw new RatingInputError('cap', 'must be at least 1 second');
  const places = parseDecimals(decimals);
  if (t.zeroRated) return { allowed: true, seconds: cap };
  // Funds as given, padded to the cost's places, never rounded (0.69995 must not read as 0.7000).
  const shownFunds = available.toFixed(Math.max(places, available.decimalPlaces()));

  const fits = (billed: number): boolean => new Money(costOfBilled(t, billed, true, places)).lte(available);
  const grace = t.terms.graceSeconds;
  const initial = t.initialBlock;
  const size = t.incrementSize;
  if (!fits(initial)) {
    const needed = costOfBilled(t, initial, true, places);
    return {
      allowed: false,
      reason: `funds ${shownFunds} do not cover the connection cost plus the initial increment (${needed})`,
    };
  }
  // Billed seconds take the values initial + k * size; the last second of block k is
  // grace + initial + k * size. Find the largest affordable k below the one that reaches the cap.
  const beyond = cap - grace - initial;
  const kCap = beyond <= 0 ? 0 : Math.ceil(beyond / size);
  if (fits(initial + kCap * size)) return { allowed: true, seconds: cap };
  let low = 0;
  let high = kCap;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(initial + middle * size)) low = middle;
    else high = middle;
  }
  const seconds = grace + initial + low * size;
  if (seconds < 1) {
    return {
      allowed: false,
      reason: `funds ${shownFunds} do not cover the first ${size} s increment (${costOfBilled(t, size, true, places)})`,
    };
  }
  return { allowed: true, seconds };
}
