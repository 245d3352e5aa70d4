import { describe, expect, it } from 'vitest';
import { applyMarkup, isMarkupPercent, marginOf, type PriceTerms } from '../../src/domain/sell-terms.ts';
import { nextBillingAt } from '../../src/domain/billing-period.ts';

const buy: PriceTerms = {
  setup_fee: '1.000000', monthly_fee: '2.500000', connection_cost: '0.010000', grace_seconds: 5,
  cost_per_minute: '0.008500', initial_increment: 60, increment: 6,
};

describe('sell terms from a markup', () => {
  it.each([
    ['20', 4, { setup_fee: '1.200000', monthly_fee: '3.000000', connection_cost: '0.012000', cost_per_minute: '0.010200' }],
    ['0', 4, { setup_fee: '1.000000', monthly_fee: '2.500000', connection_cost: '0.010000', cost_per_minute: '0.008500' }],
    ['12.5', 4, { setup_fee: '1.125000', monthly_fee: '2.812500', connection_cost: '0.011300', cost_per_minute: '0.009600' }],
    ['12.5', 2, { setup_fee: '1.130000', monthly_fee: '2.810000', connection_cost: '0.010000', cost_per_minute: '0.010000' }],
    ['100', 4, { setup_fee: '2.000000', monthly_fee: '5.000000', connection_cost: '0.020000', cost_per_minute: '0.017000' }],
  ])('when the markup is %s%% at %i decimals, then each amount is raised and rounded half-up once', (percent, decimals, amounts) => {
    expect(applyMarkup(buy, percent, decimals)).toEqual({ ...buy, ...amounts });
  });

  it('when the markup is not a percentage, then it is refused', () => {
    for (const bad of ['-5', 'abc', '1e3', '', '12.34567']) expect(isMarkupPercent(bad)).toBe(false);
    expect(() => applyMarkup(buy, '-5', 4)).toThrow(RangeError);
  });

  it('when sell and buy terms are compared, then the margin is sell minus buy, with the monthly margin in percent', () => {
    const margin = marginOf(buy, { ...buy, setup_fee: '1.5', monthly_fee: '3.25', cost_per_minute: '0.0085' });
    expect(margin).toEqual({ setup: '0.500000', monthly: '0.750000', perMinute: '0.000000', connection: '0.000000', monthlyPercent: '30.0' });
    expect(marginOf({ ...buy, monthly_fee: '0' }, buy).monthlyPercent).toBeNull();
    expect(marginOf(buy, { ...buy, monthly_fee: '2' }).monthly).toBe('-0.500000');
  });
});

describe('next billing date', () => {
  const start = new Date('2026-11-29T12:00:00Z');
  it.each([
    ['recurring', 30, '2026-12-29T12:00:00.000Z'],
    ['recurring', 1, '2026-11-30T12:00:00.000Z'],
    ['one_time', 365, '2027-11-29T12:00:00.000Z'],
    ['one_time', 0, null],
  ] as const)('when a %s subscription of %i days starts, then its next date is %s', (type, days, expected) => {
    expect(nextBillingAt(start, type, days)?.toISOString() ?? null).toBe(expected);
  });

  it('when a recurring period has no days, then it is refused', () => {
    expect(() => nextBillingAt(start, 'recurring', 0)).toThrow(RangeError);
    expect(() => nextBillingAt(start, 'one_time', -1)).toThrow(RangeError);
  });
});
