import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import {
  MoneyFormatError,
  assertDecimals,
  formatMoney,
  isMoneyText,
  parseMoney,
  roundMoney,
  sumMoney,
  toPlain,
  toStored,
} from '../../src/domain/money.ts';

describe('parseMoney', () => {
  it.each([
    ['12', '12'],
    ['0.104', '0.104'],
    ['-3.5', '-3.5'],
    ['  7.25  ', '7.25'],
    ['99999999999999.999999', '99999999999999.999999'],
  ])('when given "%s", then it holds exactly %s', (input, expected) => {
    expect(parseMoney(input).toFixed()).toBe(expected);
  });

  it.each(['1,234.50', '1e3', '0.1234567', 'abc', '', '.5', '100000000000000'])(
    'when given "%s", then it refuses with a MoneyFormatError',
    (input) => {
      expect(() => parseMoney(input)).toThrow(MoneyFormatError);
    },
  );

  it('when given a Decimal, then it returns an equal Decimal', () => {
    expect(parseMoney(new Decimal('1.25')).toFixed()).toBe('1.25');
  });

  it('when checking text, then isMoneyText agrees with parseMoney', () => {
    expect(isMoneyText('1.50')).toBe(true);
    expect(isMoneyText('1.5000001')).toBe(false);
  });
});

describe('roundMoney and toPlain', () => {
  it.each([
    ['0.00005', 4, '0.0001'],
    ['0.00004999', 4, '0.0000'],
    ['2.5', 0, '3'],
    ['-2.5', 0, '-3'],
    ['1.23456749', 6, '1.234567'],
    ['1.2345675', 6, '1.234568'],
  ])('when rounding %s to %i places, then HALF_UP gives %s', (amount, decimals, expected) => {
    expect(toPlain(amount, decimals)).toBe(expected);
    expect(roundMoney(amount, decimals).toFixed(decimals)).toBe(expected);
  });

  it('when adding 0.1 and 0.2, then the sum is exactly 0.3', () => {
    expect(sumMoney(['0.1', '0.2']).toFixed()).toBe('0.3');
  });

  it('when decimals is outside 0..6, then it is refused', () => {
    expect(() => assertDecimals(7)).toThrow(RangeError);
    expect(() => assertDecimals(1.5)).toThrow(RangeError);
    expect(assertDecimals(0)).toBe(0);
  });

  it('when stored, then an amount has 6 decimals', () => {
    expect(toStored('1.5')).toBe('1.500000');
  });

  it('when formatted for a page, then it has a symbol and grouping and stays exact', () => {
    expect(formatMoney('1234567.5', { decimals: 2 })).toBe('$1,234,567.50');
  });
});
