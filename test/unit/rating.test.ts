import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import {
  RatingInputError,
  compileTerms,
  describeBreakdown,
  maxDuration,
  parseRateTerms,
  rateCall,
  rateCallReference,
  rateCompiled,
  type RateTerms,
} from '../../src/domain/rating.ts';

// BILLING.md worked examples: C = 0.10, G = 10, R = 0.60, I = 60, N = 6.
const billing: RateTerms = { connectionCost: '0.10', graceSeconds: 10, perMinute: '0.60', initialIncrement: 60, increment: 6 };

describe('rateCall: the worked examples of BILLING.md', () => {
  it.each([
    [0, 0, '0.0000'],
    [5, 0, '0.1000'],
    [11, 60, '0.7000'],
    [61, 60, '0.7000'],
    [71, 66, '0.7600'],
    [125, 120, '1.3000'],
    [3600, 3594, '36.0400'],
  ])('when a call lasts %i s, then %i s are billed and it costs %s', (duration, billed, cost) => {
    const rated = rateCall(billing, duration, 4);
    expect(rated.cost).toBe(cost);
    expect(rated.billedSeconds).toBe(billed);
    expect(rateCallReference(billing, duration, 4)).toEqual({ cost, billedSeconds: billed });
  });

  it.each([
    ['I = 0, 125 s', { ...billing, initialIncrement: 0 }, 125, 120, '1.3000'],
    ['I = 0, 11 s', { ...billing, initialIncrement: 0 }, 11, 6, '0.1600'],
    ['N = 0, 125 s', { ...billing, increment: 0 }, 125, 115, '1.2500'],
    [
      '12.00 a minute, I = N = 60, 5000 s',
      { connectionCost: '0', graceSeconds: 0, perMinute: '12.00', initialIncrement: 60, increment: 60 },
      5000,
      5040,
      '1008.0000',
    ],
  ])('when %s, then it matches BILLING.md', (_name, terms, duration, billed, cost) => {
    expect(rateCall(terms, duration, 4)).toMatchObject({ cost, billedSeconds: billed });
  });
});

describe('rateCall: edges', () => {
  it.each([
    ['exactly the grace time', 10, 0, '0.1000'],
    ['one second past the grace time', 11, 60, '0.7000'],
    ['the last second of the initial block', 70, 60, '0.7000'],
    ['the first second after the initial block', 71, 66, '0.7600'],
    ['a full day', 86_400, 86_394, '864.0400'],
  ])('when the call lasts %s (%i s), then %i s are billed at %s', (_name, duration, billed, cost) => {
    expect(rateCall(billing, duration, 4)).toMatchObject({ cost, billedSeconds: billed });
  });

  it('when the increment is larger than the initial increment, then blocks after the first are the larger size', () => {
    const terms = { ...billing, initialIncrement: 6, increment: 60 };
    expect(rateCall(terms, 16, 4)).toMatchObject({ billedSeconds: 6, cost: '0.1600' });
    expect(rateCall(terms, 17, 4)).toMatchObject({ billedSeconds: 66, cost: '0.7600' });
    expect(rateCall(terms, 76, 4)).toMatchObject({ billedSeconds: 66, cost: '0.7600' });
    expect(rateCall(terms, 77, 4)).toMatchObject({ billedSeconds: 126, cost: '1.3600' });
  });

  it('when the grace time is 0, then the first second is charged', () => {
    expect(rateCall({ ...billing, graceSeconds: 0 }, 1, 4)).toMatchObject({ billedSeconds: 60, cost: '0.7000' });
  });

  it.each([
    [0, '1'],
    [2, '1.31'],
    [4, '1.3123'],
    [6, '1.312300'],
  ])('when rounding to %i decimals, then the cost has that many places (%s)', (decimals, cost) => {
    const terms = { connectionCost: '0.1123', graceSeconds: 0, perMinute: '0.60', initialIncrement: 1, increment: 1 };
    expect(rateCall(terms, 120, decimals).cost).toBe(cost);
  });

  it('when the exact cost has a repeating decimal, then it is rounded HALF_UP once', () => {
    // 0.01 a minute for 7 s: 0.0011666..., 0.001167 at 6 places, 0.0012 at 4.
    const terms = { connectionCost: '0', graceSeconds: 0, perMinute: '0.01', initialIncrement: 1, increment: 1 };
    expect(rateCall(terms, 7, 6).cost).toBe('0.001167');
    expect(rateCall(terms, 7, 4).cost).toBe('0.0012');
    // 0.0003 a minute for 10 s is exactly 0.00005: the half rounds up.
    expect(rateCall({ ...terms, perMinute: '0.0003' }, 10, 4).cost).toBe('0.0001');
    expect(rateCall({ ...terms, perMinute: '0.000299' }, 10, 4).cost).toBe('0.0000');
  });

  it('when the terms are zero-rated, then every call costs 0 but billed seconds are still counted', () => {
    const free = { ...billing, connectionCost: '0', perMinute: '0' };
    expect(rateCall(free, 3600, 4)).toMatchObject({ cost: '0.0000', billedSeconds: 3594 });
  });

  it('when amounts are over 1,000 and the rate is large, then the cost stays exact', () => {
    const terms = { connectionCost: '1500.000001', graceSeconds: 0, perMinute: '99999999.999999', initialIncrement: 1, increment: 1 };
    // 1500.000001 + 99999999.999999 * 86400 / 60 = 1500.000001 + 143999999999.9985600
    expect(rateCall(terms, 86_400, 6).cost).toBe('144000001499.998561');
    expect(rateCall(terms, 86_400, 4).cost).toBe('144000001499.9986');
  });

  it('when amounts are as large as NUMERIC(20,6) allows, then the decimal path gives the exact cost', () => {
    const terms = { connectionCost: '99999999999999.999999', graceSeconds: 0, perMinute: '99999999999999.999999', initialIncrement: 1, increment: 1 };
    expect(rateCall(terms, 60, 6).cost).toBe('199999999999999.999998');
    expect(rateCall(terms, 1, 4).cost).toBe(new Decimal('99999999999999.999999').times(61).dividedBy(60).toFixed(4, Decimal.ROUND_HALF_UP));
  });

  it('when given compiled terms, then the result equals the one from raw terms', () => {
    const compiled = compileTerms(billing);
    expect(rateCall(compiled, 125, 4)).toEqual(rateCall(billing, 125, 4));
    expect(rateCompiled(compiled, 125, 4)).toEqual({ cost: '1.3000', billedSeconds: 120 });
  });
});

describe('rateCall: the decimal path (amounts whose micro-units are not safe integers)', () => {
  // Fixed ties at the rounding boundary: a random property test alone may never land on one.
  const big = (perMinute: string, connectionCost = '0'): RateTerms => ({ connectionCost, graceSeconds: 0, perMinute, initialIncrement: 60, increment: 60 });
  it.each([
    ['100000000000.000050', '0', 60, 4, '100000000000.0001'],
    ['100000000000.000049', '0', 60, 4, '100000000000.0000'],
    ['100000000000.000050', '0', 120, 4, '200000000000.0001'],
    ['100000000000.000025', '0', 120, 4, '200000000000.0001'],
    ['100000000000.500000', '0', 60, 0, '100000000001'],
    ['100000000000.000001', '0.000004', 60, 5, '100000000000.00001'],
    ['99999999999999.999999', '0', 60, 6, '99999999999999.999999'],
  ])('when the per-minute rate is %s, connection %s and the call lasts %i s, then at %i places it costs %s (HALF_UP)', (perMinute, connection, duration, decimals, cost) => {
    const terms = big(perMinute, connection);
    expect(compileTerms(terms).perMinuteMicro).toBeUndefined();
    expect(rateCall(terms, duration, decimals).cost).toBe(cost);
    expect(rateCompiled(compileTerms(terms), duration, decimals).cost).toBe(cost);
    expect(rateCallReference(terms, duration, decimals).cost).toBe(cost);
  });
});

describe('rateCall: breakdown', () => {
  it('when a call has every part, then the breakdown lists each and the one-line text reads well', () => {
    const rated = rateCall(billing, 125, 4);
    expect(rated.breakdown).toMatchObject({
      connectionFee: '0.1000',
      graceSeconds: 10,
      initialBlockSeconds: 60,
      initialBlockAmount: '0.6000',
      increments: 10,
      incrementSeconds: 6,
      incrementsAmount: '0.6000',
      billedSeconds: 120,
      total: '1.3000',
    });
    expect(describeBreakdown(rated)).toBe('connection 0.1000 + grace 10 s free + initial 60 s 0.6000 + 10 × 6 s 0.6000 = 1.3000');
  });

  it('when the call ends inside the grace time, then only the connection and the used grace show', () => {
    expect(describeBreakdown(rateCall(billing, 5, 4))).toBe('connection 0.1000 + grace 5 s free = 0.1000');
  });

  it('when the call was not answered, then nothing is charged', () => {
    const rated = rateCall(billing, 0, 4);
    expect(rated.breakdown).toMatchObject({ connectionFee: '0.0000', graceSeconds: 0, initialBlockSeconds: 0, increments: 0 });
    expect(describeBreakdown(rated)).toBe('not answered (0 s) = 0.0000');
  });

  it('when the initial increment is 0, then only increments are billed', () => {
    const rated = rateCall({ ...billing, initialIncrement: 0 }, 11, 4);
    expect(rated.breakdown).toMatchObject({ initialBlockSeconds: 0, increments: 1, incrementSeconds: 6, incrementsAmount: '0.0600' });
  });

  it('when the increment is 0, then increments are of 1 second', () => {
    expect(rateCall({ ...billing, increment: 0 }, 125, 4).breakdown).toMatchObject({ increments: 55, incrementSeconds: 1, incrementsAmount: '0.5500' });
  });
});

describe('parseRateTerms and bad input', () => {
  it('when terms come as strings from a form, then they are parsed', () => {
    const terms = parseRateTerms({ connectionCost: '0.10', graceSeconds: '10', perMinute: '0.60', initialIncrement: '60', increment: '6' });
    expect(terms.connectionCost.toFixed()).toBe('0.1');
    expect(terms.graceSeconds).toBe(10);
  });

  it.each([
    ['connectionCost', { connectionCost: '-0.10' }, /must not be negative/],
    ['connectionCost', { connectionCost: 'ten' }, /not an amount/],
    ['connectionCost', { connectionCost: 0.1 }, /decimal strings/],
    ['perMinute', { perMinute: '0.1234567' }, /not an amount/],
    ['perMinute', { perMinute: undefined }, /got nothing/],
    ['graceSeconds', { graceSeconds: -1 }, /must not be negative/],
    ['graceSeconds', { graceSeconds: '-1' }, /must not be negative/],
    ['initialIncrement', { initialIncrement: 1.5 }, /whole number of seconds/],
    ['initialIncrement', { initialIncrement: '1.5' }, /whole number of seconds/],
    ['increment', { increment: Number.NaN }, /whole number of seconds/],
    ['increment', { increment: 'six' }, /whole number of seconds/],
    ['increment', { increment: 2_000_000_000 }, /at most/],
  ])('when %s is %o, then a RatingInputError names the field', (field, override, message) => {
    const error = captureError(() => rateCall({ ...billing, ...override } as RateTerms, 60, 4));
    expect(error).toBeInstanceOf(RatingInputError);
    expect((error as RatingInputError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    ['duration', () => rateCall(billing, -1, 4)],
    ['duration', () => rateCall(billing, 1.5, 4)],
    ['decimals', () => rateCall(billing, 60, 7)],
    ['funds', () => maxDuration(billing, 'lots', 60, 4)],
    ['cap', () => maxDuration(billing, '5', 0, 4)],
  ])('when %s is bad, then a RatingInputError names it', (field, run) => {
    const error = captureError(run);
    expect(error).toBeInstanceOf(RatingInputError);
    expect((error as RatingInputError).field).toBe(field);
  });
});

describe('maxDuration', () => {
  it.each([
    // 5.00 buys 0.10 + 0.01 * billed with billed = 60 + 6k <= 490: 486 billed, + 10 s grace.
    ['5', 7200, { allowed: true, seconds: 496 }],
    ['0.70', 7200, { allowed: true, seconds: 70 }],
    ['0.7599', 7200, { allowed: true, seconds: 70 }],
    ['0.76', 7200, { allowed: true, seconds: 76 }],
    ['1000', 7200, { allowed: true, seconds: 7200 }],
    ['1000', 86_400, { allowed: true, seconds: 86_400 }],
    ['5', 100, { allowed: true, seconds: 100 }],
    ['5', 5, { allowed: true, seconds: 5 }],
  ])('when the funds are %s with a cap of %i s, then %o', (funds, cap, expected) => {
    expect(maxDuration(billing, funds, cap, 4)).toEqual(expected);
  });

  it('when funds do not cover the connection cost plus the initial increment, then the call is refused', () => {
    const result = maxDuration(billing, '0.6999', 7200, 4);
    expect(result.allowed).toBe(false);
    expect(result.allowed === false && result.reason).toMatch(/initial increment \(0\.7000\)/);
    expect(maxDuration(billing, '-1', 7200, 4).allowed).toBe(false);
  });

  it('when the rounded cost equals the funds, then it fits (the switch charges the rounded cost)', () => {
    // 0.0003 a minute: 10 s cost 0.00005, rounded 0.0001; 0.0001 of funds buys 29 s (0.000145 -> 0.0001).
    const terms = { connectionCost: '0', graceSeconds: 0, perMinute: '0.0003', initialIncrement: 1, increment: 1 };
    expect(maxDuration(terms, '0.0001', 86_400, 4)).toEqual({ allowed: true, seconds: 29 });
    expect(rateCall(terms, 29, 4).cost).toBe('0.0001');
    expect(rateCall(terms, 30, 4).cost).toBe('0.0002');
  });

  it('when the terms are zero-rated, then the cap is allowed whatever the funds', () => {
    const free = { ...billing, connectionCost: '0', perMinute: '0.000' };
    expect(maxDuration(free, '0', 7200, 4)).toEqual({ allowed: true, seconds: 7200 });
  });

  it('when there is no grace and no initial increment and the funds cover no increment, then it is refused', () => {
    const terms = { connectionCost: '0', graceSeconds: 0, perMinute: '0.60', initialIncrement: 0, increment: 60 };
    const result = maxDuration(terms, '0.59', 7200, 4);
    expect(result).toMatchObject({ allowed: false });
    expect(maxDuration(terms, '0.60', 7200, 4)).toEqual({ allowed: true, seconds: 60 });
  });

  it('when the initial increment is 0 and funds cover only the connection, then the grace time is allowed', () => {
    expect(maxDuration({ ...billing, initialIncrement: 0 }, '0.15', 7200, 4)).toEqual({ allowed: true, seconds: 10 });
  });

  it('when amounts are large, then the answer is exact', () => {
    const terms = { connectionCost: '1000', graceSeconds: 0, perMinute: '1200.00', initialIncrement: 60, increment: 60 };
    // 1000 + 20 * billed <= 100000 -> billed <= 4950 -> 4920 (82 minutes)
    expect(maxDuration(terms, '100000', 86_400, 4)).toEqual({ allowed: true, seconds: 4920 });
  });
});

function captureError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
