import { describe, expect, it } from 'vitest';
import { AmountOutOfRangeError, fitsStored, toStoredChecked } from '../../src/domain/money.ts';
import { markUp } from '../../src/domain/rate-plans.ts';
import { defaultSellTerms } from '../../src/domain/sell-terms.ts';
import { ValidationError, translateDbError } from '../../src/errors.ts';

describe('amounts NUMERIC(20,6) can hold', () => {
  it.each([
    ['99999999999999.999999', true],
    ['-99999999999999.999999', true],
    ['99999999999999.9999994', true],
    ['99999999999999.9999995', false],
    ['100000000000000', false],
    ['-100000000000000', false],
    ['0', true],
  ])('when the amount is %s, then it fits: %s', (amount, fits) => {
    expect(fitsStored(amount)).toBe(fits);
  });

  it('when a worked-out amount does not fit, then a 400 with the message at the field', () => {
    const error = (() => {
      try {
        toStoredChecked('100000000000009', 'The balance after this entry', 'amount');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(AmountOutOfRangeError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    expect((error as ValidationError).fields).toEqual({
      amount: 'The balance after this entry would be 100000000000009.000000, more than the largest amount didhub stores (99999999999999.999999)',
    });
  });

  it.each([
    [{ percent: '0', amount: '99999999999999.999999' }, 'per_minute_markup_amount'],
    [{ percent: '1', amount: '0' }, 'per_minute_markup_percent'],
  ])('when a markup %o takes a price past 14 digits, then it is refused at %s', (markup, field) => {
    expect(() => markUp('99999999999999.6', markup.percent, markup.amount, { percent: 'per_minute_markup_percent', amount: 'per_minute_markup_amount' }))
      .toThrowError(expect.objectContaining({ fields: { [field]: expect.stringContaining('more than the largest amount') } }));
  });

  it('when the default markup would take a price past 14 digits, then the buy terms are offered instead', () => {
    const buy = { setup_fee: '0', monthly_fee: '99999999999999', connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.01', initial_increment: 60, increment: 60 };
    expect(defaultSellTerms(buy, '20', 4)).toEqual(buy);
    expect(defaultSellTerms({ ...buy, monthly_fee: '10' }, '20', 4).monthly_fee).toBe('12.000000');
  });
});

describe('Postgres data exceptions, the last resort', () => {
  it.each([
    ['22003', 'too large'],
    ['22008', 'out of range'],
    ['22021', 'NUL byte'],
  ])('when Postgres answers %s, then it is a 400 saying %s', (code, words) => {
    const error = translateDbError({ code });
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain(words);
  });
});
