// Calendar terms without a database: when periods end, what a first period and a release credit
// cost (BILLING.md "Calendar billing, proration and taxes"). Tables of cases, then properties.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  anniversaryIn,
  creditOnRelease,
  firstMonthlyPeriod,
  nextAnniversary,
  nextBillingDay,
  periodEndAfter,
  previousBillingDay,
  prorate,
  startTerm,
  unusedDaysCredit,
} from '../../src/domain/billing-calendar.ts';
import { parseDidTerms } from '../../src/domain/did-terms.ts';
import { Money } from '../../src/domain/money.ts';
import { planRenewal } from '../../src/domain/renewal.ts';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();
const rules = { prorate: true, decimals: 4 };

describe('nextBillingDay and previousBillingDay', () => {
  it.each([
    ['2027-01-15T13:45:00Z', 1, '2027-02-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2027-01-01T00:00:00Z', 1, '2027-02-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', 1, '2027-01-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['2027-02-20T08:00:00Z', 28, '2027-02-28T00:00:00.000Z', '2027-01-28T00:00:00.000Z'],
    ['2027-02-28T00:00:00Z', 28, '2027-03-28T00:00:00.000Z', '2027-02-28T00:00:00.000Z'],
    ['2028-02-28T12:00:00Z', 28, '2028-03-28T00:00:00.000Z', '2028-02-28T00:00:00.000Z'],
    ['2027-01-31T10:00:00Z', 31, '2027-02-28T00:00:00.000Z', '2027-01-31T00:00:00.000Z'],
    ['2028-02-10T10:00:00Z', 31, '2028-02-29T00:00:00.000Z', '2028-01-31T00:00:00.000Z'],
    ['2027-12-15T00:00:00Z', 15, '2028-01-15T00:00:00.000Z', '2027-12-15T00:00:00.000Z'],
  ] as const)('when it is %s and the billing day is %i, then the next is %s and the last %s', (now, day, next, previous) => {
    expect(iso(nextBillingDay(at(now), day))).toBe(next);
    expect(iso(previousBillingDay(at(now), day))).toBe(previous);
  });

  it('when the billing day is not 1..31, then it is refused', () => {
    expect(() => nextBillingDay(at('2027-01-01T00:00:00Z'), 0)).toThrow(RangeError);
    expect(() => nextBillingDay(at('2027-01-01T00:00:00Z'), 32)).toThrow(RangeError);
  });
});

describe('annual terms: the anniversary rule', () => {
  // Each year's date comes from the purchase, not from the year before: 29 February falls back to
  // 28 February in common years and is 29 February again in the next leap year.
  it.each([
    [2028, '2028-02-29T10:30:00.000Z'],
    [2029, '2029-02-28T10:30:00.000Z'],
    [2030, '2030-02-28T10:30:00.000Z'],
    [2032, '2032-02-29T10:30:00.000Z'],
    [2100, '2100-02-28T10:30:00.000Z'],
  ] as const)('when bought on 29 February 2028, then its anniversary in %i is %s', (year, expected) => {
    expect(iso(anniversaryIn(year, at('2028-02-29T10:30:00Z')))).toBe(expected);
  });

  it('when an annual term bought on 29 February renews for five years, then it falls on 28 February and back on 29', () => {
    const anchor = at('2028-02-29T10:30:00Z');
    const dates: string[] = [];
    let next = nextAnniversary(anchor, anchor);
    for (let i = 0; i < 5; i += 1) {
      dates.push(iso(next).slice(0, 10));
      next = periodEndAfter(next, { period: 'year', anchor });
    }
    expect(dates).toEqual(['2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29', '2033-02-28']);
  });

  it('when bought on an ordinary date, then it renews on that date and time each year', () => {
    const anchor = at('2027-07-14T16:00:00Z');
    expect(iso(startTerm({ billing_type: 'recurring', billing_days: 365, billing_period: 'year' }, '100', 1, anchor, rules).nextBillingAt!)).toBe('2028-07-14T16:00:00.000Z');
    expect(iso(periodEndAfter(at('2028-07-14T16:00:00Z'), { period: 'year', anchor }))).toBe('2029-07-14T16:00:00.000Z');
  });

  it('when a term is 365 days, then it stays day-based: 365 days later, a day early after 29 February', () => {
    const start = startTerm({ billing_type: 'recurring', billing_days: 365, billing_period: 'days' }, '100', 1, at('2028-01-10T00:00:00Z'), rules);
    expect(iso(start.nextBillingAt!)).toBe('2029-01-09T00:00:00.000Z');
    expect(start.amount).toBe('100.000000');
  });
});

describe('firstMonthlyPeriod: proration over month lengths', () => {
  // monthly 31.00, 4 decimals; days counted with the purchase day, over the whole period's days.
  it.each([
    ['31-day month, mid-month', '2027-01-15T13:45:00Z', 1, 17, 31, '17.000000', '2027-02-01'],
    ['30-day month', '2027-04-10T00:00:00Z', 1, 21, 30, '21.700000', '2027-05-01'],
    ['28-day February', '2027-02-15T09:00:00Z', 1, 14, 28, '15.500000', '2027-03-01'],
    ['29-day February (leap)', '2028-02-15T09:00:00Z', 1, 15, 29, '16.034500', '2028-03-01'],
    ['the billing day itself: no proration', '2027-03-01T18:00:00Z', 1, 31, 31, '31.000000', '2027-04-01'],
    ['the day before the billing day', '2027-03-31T23:59:59Z', 1, 1, 31, '1.000000', '2027-04-01'],
    ['billing day 28 in February (28 January to 28 February)', '2027-02-20T00:00:00Z', 28, 8, 31, '8.000000', '2027-02-28'],
    ['billing day 28, bought on it in February', '2027-02-28T05:00:00Z', 28, 28, 28, '31.000000', '2027-03-28'],
    ['billing day 28 in a leap February', '2028-02-29T05:00:00Z', 28, 28, 29, '29.931000', '2028-03-28'],
    ['billing day 15 across two months', '2027-02-20T00:00:00Z', 15, 23, 28, '25.464300', '2027-03-15'],
    ['the last instant of a year', '2027-12-31T23:59:59.999Z', 1, 1, 31, '1.000000', '2028-01-01'],
    ['the first instant of a month', '2027-05-01T00:00:00Z', 15, 14, 30, '14.466700', '2027-05-15'],
  ] as const)('when %s (bought %s, billing day %i), then %i of %i days cost %s until %s', (_case, purchase, day, days, daysInPeriod, amount, end) => {
    const first = firstMonthlyPeriod('31', at(purchase), day, rules);
    expect(first).toMatchObject({ days, daysInPeriod, amount, prorated: days < daysInPeriod });
    expect(iso(first.end).slice(0, 10)).toBe(end);
  });

  it('when proration is off, then the first period to the billing day costs the whole price', () => {
    expect(firstMonthlyPeriod('31', at('2027-01-15T13:45:00Z'), 1, { prorate: false, decimals: 4 })).toMatchObject({ amount: '31.000000', days: 17, prorated: false });
  });

  it.each([
    ['9.99', 10, 31, 2, '3.22'],
    ['0.01', 1, 31, 4, '0.0003'],
    ['10', 1, 3, 4, '3.3333'],
    ['20', 1, 3, 4, '6.6667'],
    ['0.05', 1, 2, 2, '0.03'],
    ['0.15', 1, 2, 2, '0.08'],
  ] as const)('when %s is prorated %i of %i days to %i decimals, then it rounds HALF_UP once to %s', (price, days, of, decimals, expected) => {
    expect(new Money(prorate(price, days, of, decimals)).toFixed(decimals)).toBe(expected);
  });
});

describe('prorate caps', () => {
  it('when a price has more decimals than the money and would round up past itself, then the part costs the price', () => {
    expect(prorate('0.06', 30, 31, 1)).toBe('0.060000');
  });
});

describe('release credits', () => {
  const monthly = {
    status: 'active', billing_type: 'recurring' as const, billing_period: 'month' as const, billing_day: 1, billing_days: 30,
    started_at: at('2026-12-10T00:00:00Z'), next_billing_at: at('2027-02-01T00:00:00Z'), price: '31',
  };

  it.each([
    ['mid-month', '2027-01-15T10:00:00Z', 16, '16.000000'],
    ['on the billing day', '2027-01-01T08:00:00Z', 30, '30.000000'],
    ['on the last day', '2027-01-31T23:00:00Z', 0, null],
  ] as const)('when a monthly number is released %s (%s), then %i unused days are credited', (_case, releasedAt, unused, amount) => {
    const credit = creditOnRelease(monthly, '-31.000000', at(releasedAt), 4);
    if (amount === null) expect(credit).toBeNull();
    else expect(credit).toMatchObject({ unusedDays: unused, daysInPeriod: 31, amount });
  });

  it('when the prorated first period is released, then the credit never exceeds what it cost', () => {
    const credit = creditOnRelease({ ...monthly, price: '100' }, '-3.2258', at('2027-01-29T10:00:00Z'), 4);
    expect(credit).toMatchObject({ unusedDays: 2, amount: '3.225800' });
  });

  it.each([
    ['suspended', { status: 'suspended' }],
    ['day-based', { billing_period: 'days' as const, billing_day: null }],
    ['past its period end', { next_billing_at: at('2027-01-10T00:00:00Z') }],
  ] as const)('when the subscription is %s, then nothing is credited', (_case, change) => {
    expect(creditOnRelease({ ...monthly, ...change }, '-31', at('2027-01-15T10:00:00Z'), 4)).toBeNull();
  });

  it('when nothing was charged for the period, then nothing is credited', () => {
    expect(creditOnRelease(monthly, null, at('2027-01-15T10:00:00Z'), 4)).toBeNull();
  });

  it('when an annual term is released, then the unused days of its year are credited', () => {
    const credit = unusedDaysCredit('365', at('2028-03-01T09:00:00Z'), at('2027-03-01T12:00:00Z'), { period: 'year', anchor: at('2026-03-01T09:00:00Z') }, 4);
    expect(credit).toMatchObject({ daysInPeriod: 366, unusedDays: 365 });
  });
});

describe('properties', () => {
  const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }).map((ms) => new Date(ms));
  const billingDay = fc.integer({ min: 1, max: 28 });
  const price = fc.integer({ min: 0, max: 10_000_000 }).map((cents) => new Money(cents).dividedBy(100).toFixed(2));

  it('when a first month is prorated, then it never costs more than the month and never less than nothing', () => {
    fc.assert(
      fc.property(instant, billingDay, price, fc.integer({ min: 0, max: 6 }), (purchase, day, monthly, decimals) => {
        const first = firstMonthlyPeriod(monthly, purchase, day, { prorate: true, decimals });
        expect(new Money(first.amount).lessThanOrEqualTo(monthly)).toBe(true);
        expect(new Money(first.amount).isNegative()).toBe(false);
        expect(first.days).toBeGreaterThanOrEqual(1);
        expect(first.daysInPeriod).toBeGreaterThanOrEqual(28);
        expect(first.daysInPeriod).toBeLessThanOrEqual(31);
        expect(first.end.getTime()).toBeGreaterThan(purchase.getTime());
      }),
    );
  });

  it('when a calendar-month number is kept a year, then it costs the prorated first period plus 12 months, each billing day to billing day', () => {
    fc.assert(
      fc.property(instant, billingDay, price, (purchase, day, monthly) => {
        const first = firstMonthlyPeriod(monthly, purchase, day, rules);
        const plan = planRenewal(
          { status: 'active', billingType: 'recurring', billingDays: 30, price: monthly, nextBillingAt: first.end, suspendedAt: null, cycle: { period: 'month', billingDay: day } },
          '1000000000',
          { now: new Date(nextBillingDay(new Date(first.end.getTime() + 11 * 31 * 86_400_000), day).getTime() - 1), graceDays: 0, mode: 'full' },
        );
        const renewed = plan.steps.filter((step) => step.kind === 'renewed');
        expect(renewed).toHaveLength(12);
        for (const step of renewed) {
          expect(step.periodStart.getUTCDate()).toBe(day);
          expect(step.periodEnd.getTime()).toBe(nextBillingDay(step.periodStart, day).getTime());
        }
        const total = renewed.reduce((sum, step) => sum.plus(step.amount), new Money(first.amount));
        expect(total.toFixed(6)).toBe(new Money(monthly).times(12).plus(first.amount).toFixed(6));
      }),
    );
  });
});

describe('the billing period of a DID form or CSV row', () => {
  const row = { number: '+442079460958', billing_type: 'recurring', billing_days: '30' };
  it.each([
    ['', 'days'], ['days', 'days'], ['Every N days', 'days'], ['month', 'month'], ['Monthly', 'month'], ['calendar month', 'month'],
    ['year', 'year'], ['Annual', 'year'], ['yearly', 'year'],
  ] as const)('when the billing period is "%s", then it is %s', (text, period) => {
    const parsed = parseDidTerms({ ...row, billing_period: text }, { empty: 'default' });
    expect(parsed.ok && parsed.terms.billing_period).toBe(period);
  });

  it('when it is unknown, or calendar on a one-time term, then it is a field error', () => {
    const unknown = parseDidTerms({ ...row, billing_period: 'weekly' }, { empty: 'default' });
    expect(!unknown.ok && unknown.errors.billing_period).toBe('"weekly" is not a billing period: use days, month or year');
    const oneTime = parseDidTerms({ ...row, billing_type: 'one_time', billing_period: 'month' }, { empty: 'default' });
    expect(!oneTime.ok && oneTime.errors.billing_period).toBe('Calendar-month and annual terms are recurring: choose recurring');
  });
});
