// Rate plans: named per-minute terms shared by many numbers, versioned in time. Pure code: which
// version is in force at an instant, a reseller's markup over its buy terms, and the margin of
// sell terms over buy terms (negative: selling below cost). BILLING.md holds the money rules.
import { Money, parseMoney, roundMoney, STORED_DECIMALS, toStored, toStoredChecked } from './money.ts';
import { rateCall, compileTerms } from './rating.ts';

/** The five per-minute terms, as stored: amounts NUMERIC(20,6) strings, seconds integers. */
export interface PlanTerms {
  connection_cost: string;
  grace_seconds: number;
  cost_per_minute: string;
  initial_increment: number;
  increment: number;
}

/** A markup over buy terms: per amount term, sell = buy × (1 + percent / 100) + amount. */
export interface PlanMarkup {
  connection_markup_percent: string;
  connection_markup_amount: string;
  per_minute_markup_percent: string;
  per_minute_markup_amount: string;
}

export type PlanKind = 'absolute' | 'markup';

export interface VersionLike {
  effective_from: Date;
}

/**
 * The version in force at `at`: the latest whose effective_from is not after it. Undefined when
 * the plan's first version starts later.
 */
export function versionInForce<V extends VersionLike>(versions: readonly V[], at: Date): V | undefined {
  let best: V | undefined;
  const instant = at.getTime();
  for (const version of versions) {
    const from = version.effective_from.getTime();
    if (from <= instant && (!best || from > best.effective_from.getTime())) best = version;
  }
  return best;
}

const PERCENT_PATTERN = /^-?\d{1,4}(\.\d{1,4})?$/;
const AMOUNT_PATTERN = /^-?\d{1,14}(\.\d{1,6})?$/;

/**
 * One amount term marked up, exactly, rounded once (HALF_UP) to the stored 6 decimals. A
 * discount that would go below zero sells at zero: a price is never negative. A price beyond
 * NUMERIC(20,6) is refused (AmountOutOfRangeError) at the markup field that made it so.
 */
export function markUp(buy: string, percent: string, amount: string, fields: { percent: string; amount: string } = { percent: 'percent', amount: 'amount' }): string {
  const exact = parseMoney(buy).times(new Money(percent).dividedBy(100).plus(1)).plus(new Money(amount));
  const rounded = roundMoney(exact, STORED_DECIMALS);
  if (rounded.isNegative()) return toStored(0);
  return toStoredChecked(rounded, `A buy price of ${buy} with this markup`, new Money(amount).isZero() ? fields.percent : fields.amount);
}

/** Sell terms of a markup plan over the buy terms: the seconds (grace, increments) are the buy terms'. */
export function applyPlanMarkup(buy: PlanTerms, markup: PlanMarkup): PlanTerms {
  return {
    connection_cost: markUp(buy.connection_cost, markup.connection_markup_percent, markup.connection_markup_amount, {
      percent: 'connection_markup_percent', amount: 'connection_markup_amount',
    }),
    grace_seconds: buy.grace_seconds,
    cost_per_minute: markUp(buy.cost_per_minute, markup.per_minute_markup_percent, markup.per_minute_markup_amount, {
      percent: 'per_minute_markup_percent', amount: 'per_minute_markup_amount',
    }),
    initial_increment: buy.initial_increment,
    increment: buy.increment,
  };
}

/** Durations whose cost the margin compares: they show what grace time and increments do. */
export const MARGIN_DURATIONS = [30, 60, 125, 3600] as const;

export interface PlanMargin {
  connection: string;
  perMinute: string;
  /** Sell cost minus buy cost of calls of MARGIN_DURATIONS, at `decimals`. */
  calls: Array<{ seconds: number; buy: string; sell: string; margin: string }>;
  /** True when any term or any of the calls sells below its cost. */
  negative: boolean;
}

/** What the seller keeps per term and per typical call; negative means selling below cost. */
export function planMargin(buy: PlanTerms, sell: PlanTerms, decimals: number): PlanMargin {
  const connection = new Money(sell.connection_cost).minus(buy.connection_cost);
  const perMinute = new Money(sell.cost_per_minute).minus(buy.cost_per_minute);
  const buyCompiled = compileTerms(rateTermsOfPlan(buy));
  const sellCompiled = compileTerms(rateTermsOfPlan(sell));
  const calls = MARGIN_DURATIONS.map((seconds) => {
    const buyCost = rateCall(buyCompiled, seconds, decimals).cost;
    const sellCost = rateCall(sellCompiled, seconds, decimals).cost;
    return { seconds, buy: buyCost, sell: sellCost, margin: new Money(sellCost).minus(buyCost).toFixed(decimals) };
  });
  const negative = connection.isNegative() || perMinute.isNegative() || calls.some((call) => new Money(call.margin).isNegative());
  return { connection: toStored(connection), perMinute: toStored(perMinute), calls, negative };
}

export function rateTermsOfPlan(terms: PlanTerms) {
  return {
    connectionCost: terms.connection_cost,
    perMinute: terms.cost_per_minute,
    graceSeconds: terms.grace_seconds,
    initialIncrement: terms.initial_increment,
    increment: terms.increment,
  };
}

export type MarkupField = keyof PlanMarkup;
export const MARKUP_FIELDS: readonly MarkupField[] = [
  'connection_markup_percent', 'connection_markup_amount', 'per_minute_markup_percent', 'per_minute_markup_amount',
];

/** A markup form: empty fields mean 0; at least one must add or take something. */
export function parsePlanMarkup(
  input: Partial<Record<MarkupField, unknown>>,
): { ok: true; markup: PlanMarkup } | { ok: false; errors: Partial<Record<MarkupField, string>> } {
  const errors: Partial<Record<MarkupField, string>> = {};
  const markup = {} as Record<MarkupField, string>;
  for (const field of MARKUP_FIELDS) {
    const raw = typeof input[field] === 'string' ? (input[field] as string).trim() : '';
    const value = raw === '' ? '0' : raw;
    if (field.endsWith('_percent')) {
      if (!PERCENT_PATTERN.test(value)) errors[field] = `"${value}" is not a percentage: use digits and a point, like 20 or 12.5`;
      else if (new Money(value).lessThan(-100)) errors[field] = 'A discount cannot exceed 100%';
      else markup[field] = new Money(value).toFixed(4);
    } else if (!AMOUNT_PATTERN.test(value)) {
      errors[field] = /^-?\d{1,14}\.\d{7,}$/.test(value) ? 'Use at most 6 decimals' : `"${value}" is not an amount: use digits and a point, like 0.0100`;
    } else {
      markup[field] = toStored(value);
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, markup };
}

/** "+20% + 0.010000", "−5%", "at cost": how a markup reads in a list. */
export function describeMarkup(percent: string, amount: string): string {
  const parts: string[] = [];
  const p = new Money(percent);
  const a = new Money(amount);
  if (!p.isZero()) parts.push(`${p.isNegative() ? '−' : '+'}${p.abs().toString()}%`);
  if (!a.isZero()) parts.push(`${a.isNegative() ? '−' : '+'}${a.abs().toString()}`);
  return parts.length === 0 ? 'at cost' : parts.join(' ');
}
