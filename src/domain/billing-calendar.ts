// Calendar terms of a DID (BILLING.md "Calendar billing, proration and taxes"): when a
// calendar-month or annual period ends, and what a part of a period costs. Pure: every date is a
// parameter, every date is read in UTC.
import { nextBillingAt } from './billing-period.ts';
import { Money, roundMoney, toStored } from './money.ts';

/** 'days': every N billing days (day-based, a 365-day term too); 'month': on the account's billing day; 'year': on the purchase's date. */
export type BillingPeriod = 'days' | 'month' | 'year';
export const BILLING_PERIODS: readonly BillingPeriod[] = ['days', 'month', 'year'];

/** The smallest and largest billing day an account may choose: every month has a 28th. */
export const MIN_BILLING_DAY = 1;
export const MAX_BILLING_DAY = 28;

export type BillingCycle =
  | { period: 'days'; days: number }
  /** Renews at 00:00 UTC on `billingDay` each month (a day past the month's end falls on its last day). */
  | { period: 'month'; billingDay: number }
  /** Renews each year on the calendar date and time of `anchor` (the purchase). */
  | { period: 'year'; anchor: Date };

const DAY_MS = 24 * 60 * 60 * 1000;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** Days since the epoch of the UTC calendar date of `at`. */
function dayNumber(at: Date): number {
  return Math.floor(at.getTime() / DAY_MS);
}

function checkBillingDay(billingDay: number): void {
  if (!Number.isInteger(billingDay) || billingDay < 1 || billingDay > 31) throw new RangeError(`a billing day is a whole number 1..31, got ${billingDay}`);
}

/** The billing day of a month at 00:00 UTC (a day past the month's end falls on its last day); `month` may run past 0..11 (Date.UTC carries it into the year). */
export function boundaryIn(year: number, month: number, billingDay: number): Date {
  const first = new Date(Date.UTC(year, month, 1));
  const day = Math.min(billingDay, daysInMonth(first.getUTCFullYear(), first.getUTCMonth()));
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), day));
}

/** The first billing day strictly after `from`. */
export function nextBillingDay(from: Date, billingDay: number): Date {
  checkBillingDay(billingDay);
  const here = boundaryIn(from.getUTCFullYear(), from.getUTCMonth(), billingDay);
  return here.getTime() > from.getTime() ? here : boundaryIn(from.getUTCFullYear(), from.getUTCMonth() + 1, billingDay);
}

/** The last billing day at or before `at`. */
export function previousBillingDay(at: Date, billingDay: number): Date {
  checkBillingDay(billingDay);
  const here = boundaryIn(at.getUTCFullYear(), at.getUTCMonth(), billingDay);
  return here.getTime() <= at.getTime() ? here : boundaryIn(at.getUTCFullYear(), at.getUTCMonth() - 1, billingDay);
}

/**
 * The anniversary of `anchor` in `year`, at the anchor's time of day. The anniversary rule: each
 * year's date is worked out from the purchase, not from the year before, so 29 February falls
 * back to 28 February in a common year and is 29 February again in the next leap year.
 */
export function anniversaryIn(year: number, anchor: Date): Date {
  const month = anchor.getUTCMonth();
  const day = Math.min(anchor.getUTCDate(), daysInMonth(year, month));
  const date = new Date(anchor.getTime());
  date.setUTCFullYear(year, month, day);
  return date;
}

/** The first anniversary of `anchor` strictly after `from`. */
export function nextAnniversary(from: Date, anchor: Date): Date {
  const here = anniversaryIn(from.getUTCFullYear(), anchor);
  return here.getTime() > from.getTime() ? here : anniversaryIn(from.getUTCFullYear() + 1, anchor);
}

/** When the period that starts at `from` ends (the next charge of a renewal). */
export function periodEndAfter(from: Date, cycle: BillingCycle): Date {
  switch (cycle.period) {
    case 'days':
      return nextBillingAt(from, 'recurring', cycle.days)!;
    case 'month':
      return nextBillingDay(from, cycle.billingDay);
    case 'year':
      return nextAnniversary(from, cycle.anchor);
  }
}

/** The whole calendar period that ends at `end` (for a calendar cycle): from the billing day or anniversary before it. */
export function periodStartBefore(end: Date, cycle: Exclude<BillingCycle, { period: 'days' }>): Date {
  const justBefore = new Date(end.getTime() - 1);
  return cycle.period === 'month' ? previousBillingDay(justBefore, cycle.billingDay) : anniversaryIn(end.getUTCFullYear() - 1, cycle.anchor);
}

/**
 * `price x days / daysInPeriod`, rounded HALF_UP once to `decimals`; never more than the price
 * (a price with more decimals than the money has could otherwise round up past itself).
 */
export function prorate(price: string, days: number, daysInPeriod: number, decimals: number): string {
  if (!Number.isInteger(days) || !Number.isInteger(daysInPeriod) || daysInPeriod < 1 || days < 0 || days > daysInPeriod) {
    throw new RangeError(`cannot prorate ${days} of ${daysInPeriod} days`);
  }
  const part = roundMoney(new Money(price).times(days).dividedBy(daysInPeriod), decimals);
  return toStored(Money.min(part, price));
}

export interface FirstPeriod {
  /** What the first period costs: the price, or its prorated part. */
  amount: string;
  /** When the first period ends: the next charge. */
  end: Date;
  /** Days charged (the purchase day counted) and days of the whole period; equal when nothing was prorated. */
  days: number;
  daysInPeriod: number;
  prorated: boolean;
}

/**
 * The first period of a calendar-month term bought at `purchase`: up to the next billing day,
 * costing `price x days left / days in the period` (the purchase day counted) when `prorate`, or
 * the whole price when not. Bought on the billing day, the period is a whole month at full price.
 */
export function firstMonthlyPeriod(price: string, purchase: Date, billingDay: number, rules: { prorate: boolean; decimals: number }): FirstPeriod {
  const end = nextBillingDay(purchase, billingDay);
  const daysInPeriod = dayNumber(end) - dayNumber(previousBillingDay(purchase, billingDay));
  const days = dayNumber(end) - dayNumber(purchase);
  const prorated = rules.prorate && days < daysInPeriod;
  return { amount: prorated ? prorate(price, days, daysInPeriod, rules.decimals) : toStored(price), end, days, daysInPeriod, prorated };
}

export interface UnusedDays {
  /** The credit: `price x unused days / days in the period`, rounded once. */
  amount: string;
  unusedDays: number;
  daysInPeriod: number;
  /** The first unused day (00:00 UTC) and the period's end. */
  from: Date;
  end: Date;
}

/**
 * What a release at `releasedAt` leaves unused of the calendar period ending at `end`: the days
 * after the release day (the release day counts as used) up to the period's end.
 */
export function unusedDaysCredit(
  price: string,
  end: Date,
  releasedAt: Date,
  cycle: Exclude<BillingCycle, { period: 'days' }>,
  decimals: number,
): UnusedDays {
  const daysInPeriod = dayNumber(end) - dayNumber(periodStartBefore(end, cycle));
  const unusedDays = Math.min(daysInPeriod, Math.max(0, dayNumber(end) - dayNumber(releasedAt) - 1));
  const from = new Date((dayNumber(releasedAt) + 1) * DAY_MS);
  return { amount: prorate(price, unusedDays, daysInPeriod, decimals), unusedDays, daysInPeriod, from, end };
}

export interface TermStart {
  /** What the first period costs now. */
  amount: string;
  /** Recurring: the next charge; one-time: when the number is released (null: never). */
  nextBillingAt: Date | null;
  /** The billing day the subscription keeps (calendar month only). */
  billingDay: number | null;
  /** Calendar month only: days charged of the first period's days. */
  proration: { days: number; daysInPeriod: number; prorated: boolean } | null;
}

/**
 * The first period of a purchase at `now`: day-based terms charge the price for `billingDays`
 * days (one-time: hold the number that long, 0 = no end); a calendar month runs to the buyer's
 * next billing day (prorated by `rules`); an annual term to the purchase's first anniversary.
 */
export function startTerm(
  term: { billing_type: 'one_time' | 'recurring'; billing_days: number; billing_period: BillingPeriod },
  price: string,
  buyerBillingDay: number,
  now: Date,
  rules: { prorate: boolean; decimals: number },
): TermStart {
  if (term.billing_period === 'month') {
    const first = firstMonthlyPeriod(price, now, buyerBillingDay, rules);
    return {
      amount: first.amount, nextBillingAt: first.end, billingDay: buyerBillingDay,
      proration: { days: first.days, daysInPeriod: first.daysInPeriod, prorated: first.prorated },
    };
  }
  if (term.billing_period === 'year') return { amount: toStored(price), nextBillingAt: nextAnniversary(now, now), billingDay: null, proration: null };
  return { amount: toStored(price), nextBillingAt: nextBillingAt(now, term.billing_type, term.billing_days), billingDay: null, proration: null };
}

/** The cycle a subscription renews by, from its stored terms. */
export function cycleOf(subscription: { billing_period: BillingPeriod; billing_days: number; billing_day: number | null; started_at: Date }): BillingCycle {
  if (subscription.billing_period === 'month') return { period: 'month', billingDay: subscription.billing_day ?? MIN_BILLING_DAY };
  if (subscription.billing_period === 'year') return { period: 'year', anchor: subscription.started_at };
  return { period: 'days', days: subscription.billing_days };
}

/**
 * What releasing a subscription at `releasedAt` credits its holder, or null: only a paid, live
 * calendar period (month or year) is credited, for its unused days (BILLING.md), never more than
 * `charged`, what that period cost (a prorated first period cost less than the price).
 */
export function creditOnRelease(
  subscription: {
    status: string; billing_type: 'one_time' | 'recurring'; billing_period: BillingPeriod; billing_day: number | null;
    billing_days: number; started_at: Date; next_billing_at: Date | null; price: string;
  },
  charged: string | null,
  releasedAt: Date,
  decimals: number,
): UnusedDays | null {
  if (subscription.status !== 'active' || subscription.billing_type !== 'recurring' || subscription.billing_period === 'days') return null;
  const end = subscription.next_billing_at;
  if (end === null || end.getTime() <= releasedAt.getTime() || charged === null) return null;
  const cycle = cycleOf(subscription) as Exclude<BillingCycle, { period: 'days' }>;
  const unused = unusedDaysCredit(subscription.price, end, releasedAt, cycle, decimals);
  const cap = new Money(charged).abs();
  if (new Money(unused.amount).greaterThan(cap)) unused.amount = toStored(cap);
  return new Money(unused.amount).isZero() ? null : unused;
}
