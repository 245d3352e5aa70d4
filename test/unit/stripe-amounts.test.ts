import { describe, expect, it } from 'vitest';
import { currencyDecimals, fromMinorUnits, toMinorUnits } from '../../src/domain/stripe-amounts.ts';

describe('Stripe minor units', () => {
  it.each([
    ['10', 'USD', 1000],
    ['12.34', 'usd', 1234],
    ['0.5', 'EUR', 50],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['99999999.99', 'USD', 9999999999],
  ])('when %s %s goes to Stripe, then it is %d minor units', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
  });

  it.each([
    ['10.005', 'USD'],
    ['1.5', 'JPY'],
    ['1.2345', 'KWD'],
  ])('when %s %s has more places than the currency, then it is refused', (amount, currency) => {
    expect(toMinorUnits(amount, currency)).toBeUndefined();
  });

  it.each([
    [1234, 'USD', '12.340000'],
    [1500, 'JPY', '1500.000000'],
    [1, 'BHD', '0.001000'],
  ])('when Stripe says %d %s, then it is stored as %s', (minor, currency, stored) => {
    expect(fromMinorUnits(minor, currency)).toBe(stored);
  });

  it('when a currency is neither zero- nor three-decimal, then it has two places', () => {
    expect([currencyDecimals('GBP'), currencyDecimals('jpy'), currencyDecimals('OMR')]).toEqual([2, 0, 3]);
  });
});
