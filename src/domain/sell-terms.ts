// A reseller's sell terms for a number: what its customers pay. Its buy terms are the admin's.
import type { DidTerms } from './did-terms.ts';
import { AmountOutOfRangeError, Money, parseMoney, roundMoney, toStored, toStoredChecked } from './money.ts';

/** The priced part of a number's terms, the same for its buy terms and a reseller's sell terms. */
export type PriceTerms = Pick<
  DidTerms,
  'setup_fee' | 'monthly_fee' | 'connection_cost' | 'grace_seconds' | 'cost_per_minute' | 'initial_increment' | 'increment'
>;

const MARKUP_PATTERN = /^\d{1,4}(\.\d{1,4})?$/;

export function isMarkupPercent(text: string): boolean {
  return MARKUP_PATTERN.test(text.trim());
}

/**
 * Buy terms plus `percent` on every amount (setup, monthly, connection, per minute), each
 * rounded once to `decimals`; the seconds (grace, increments) are kept as they are.
 */
export function applyMarkup(buy: PriceTerms, percent: string, decimals: number): PriceTerms {
  if (!isMarkupPercent(percent)) throw new RangeError(`"${percent}" is not a markup percentage`);
  const factor = new Money(percent.trim()).dividedBy(100).plus(1);
  // A price beyond NUMERIC(20,6) is refused at the percentage that made it so.
  const up = (amount: string) => toStoredChecked(roundMoney(parseMoney(amount).times(factor), decimals), `A buy price of ${amount} with a ${percent.trim()}% markup`, 'percent');
  return {
    setup_fee: up(buy.setup_fee),
    monthly_fee: up(buy.monthly_fee),
    connection_cost: up(buy.connection_cost),
    grace_seconds: buy.grace_seconds,
    cost_per_minute: up(buy.cost_per_minute),
    initial_increment: buy.initial_increment,
    increment: buy.increment,
  };
}

/**
 * The sell terms a reseller starts from (the default markup over the buy terms); the buy terms
 * themselves when that markup would take a price beyond what can be stored.
 */
export function defaultSellTerms(buy: PriceTerms, percent: string, decimals: number): PriceTerms {
  try {
    return applyMarkup(buy, percent, decimals);
  } catch (error) {
    if (!(error instanceof AmountOutOfRangeError)) throw error;
    return { ...buy };
  }
}

export interface Margin {
  setup: string;
  monthly: string;
  perMinute: string;
  connection: string;
  /** Monthly margin as a percentage of the buy price; null when the buy price is 0. */
  monthlyPercent: string | null;
}

/** Sell minus buy for each amount: what the reseller keeps (negative: it sells at a loss). */
export function marginOf(buy: Pick<PriceTerms, 'setup_fee' | 'monthly_fee' | 'cost_per_minute' | 'connection_cost'>, sell: Pick<PriceTerms, 'setup_fee' | 'monthly_fee' | 'cost_per_minute' | 'connection_cost'>): Margin {
  const diff = (a: string, b: string) => toStored(new Money(a).minus(b));
  const buyMonthly = new Money(buy.monthly_fee);
  return {
    setup: diff(sell.setup_fee, buy.setup_fee),
    monthly: diff(sell.monthly_fee, buy.monthly_fee),
    perMinute: diff(sell.cost_per_minute, buy.cost_per_minute),
    connection: diff(sell.connection_cost, buy.connection_cost),
    monthlyPercent: buyMonthly.isZero()
      ? null
      : roundMoney(new Money(sell.monthly_fee).minus(buyMonthly).dividedBy(buyMonthly).times(100), 1).toFixed(1),
  };
}
