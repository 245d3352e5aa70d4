import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { maxDuration, rateCall, rateCallReference, type RateTerms } from '../../src/domain/rating.ts';

/** An amount with up to 6 decimals as a plain string, from micro-units. */
function fromMicro(micro: bigint): string {
  const text = micro.toString().padStart(7, '0');
  return `${text.slice(0, -6)}.${text.slice(-6)}`;
}

// Mostly everyday rates, sometimes up to the NUMERIC(20,6) limit so the decimal fallback is exercised.
const microAmount = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt(0n, 10_000_000n) },
  { weight: 2, arbitrary: fc.bigInt(0n, 10n ** 12n) },
  { weight: 1, arbitrary: fc.bigInt(0n, 10n ** 20n - 1n) },
);
const amount = microAmount.map(fromMicro);
const seconds = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 120 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100_000 }) },
);
const terms: fc.Arbitrary<RateTerms> = fc.record({
  connectionCost: amount,
  perMinute: amount,
  graceSeconds: seconds,
  initialIncrement: seconds,
  increment: seconds,
});
const duration = fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 200_000 }));
const decimals = fc.integer({ min: 0, max: 6 });

describe('rating properties', () => {
  it('when rated on the fast path, then the result is identical to the decimal.js definition', () => {
    fc.assert(
      fc.property(terms, duration, decimals, (t, d, k) => {
        const fast = rateCall(t, d, k);
        expect({ cost: fast.cost, billedSeconds: fast.billedSeconds }).toEqual(rateCallReference(t, d, k));
      }),
      { numRuns: 2000 },
    );
  });

  it('when a call lasts longer, then it never costs less', () => {
    fc.assert(
      fc.property(terms, duration, fc.integer({ min: 1, max: 5000 }), decimals, (t, d, extra, k) => {
        const shorter = rateCall(t, d, k);
        const longer = rateCall(t, d + extra, k);
        expect(new Decimal(longer.cost).gte(shorter.cost)).toBe(true);
        expect(longer.billedSeconds).toBeGreaterThanOrEqual(shorter.billedSeconds);
        const next = rateCall(t, d + 1, k);
        expect(new Decimal(next.cost).gte(shorter.cost)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('when the maximum duration is allowed, then it fits the funds and one more second does not (unless capped)', () => {
    const everyday = fc.record({
      connectionCost: fc.bigInt(0n, 1_000_000n).map(fromMicro),
      perMinute: fc.bigInt(0n, 5_000_000n).map(fromMicro),
      graceSeconds: fc.integer({ min: 0, max: 30 }),
      initialIncrement: fc.integer({ min: 0, max: 120 }),
      increment: fc.integer({ min: 0, max: 120 }),
    });
    const funds = fc.oneof(fc.bigInt(0n, 2_000_000n), fc.bigInt(0n, 10n ** 10n)).map(fromMicro);
    const cap = fc.oneof(fc.integer({ min: 1, max: 7200 }), fc.constant(86_400));
    fc.assert(
      fc.property(everyday, funds, cap, decimals, (t, f, c, k) => {
        const result = maxDuration(t, f, c, k);
        if (result.allowed) {
          expect(result.seconds).toBeGreaterThanOrEqual(1);
          expect(result.seconds).toBeLessThanOrEqual(c);
          expect(new Decimal(rateCall(t, result.seconds, k).cost).lte(f)).toBe(true);
          const zeroRated = new Decimal(t.connectionCost).isZero() && new Decimal(t.perMinute).isZero();
          if (result.seconds < c && !zeroRated) {
            expect(new Decimal(rateCall(t, result.seconds + 1, k).cost).gt(f)).toBe(true);
          }
        } else {
          expect(new Decimal(rateCall(t, t.graceSeconds + 1, k).cost).gt(f)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('when amounts would not add up in floating point (0.1 + 0.2), then the cost is exact', () => {
    // A 60 s call with one 60 s block costs exactly C + R: compare with integer micro-unit arithmetic.
    fc.assert(
      fc.property(microAmount, microAmount, (c, r) => {
        const t = { connectionCost: fromMicro(c), perMinute: fromMicro(r), graceSeconds: 0, initialIncrement: 60, increment: 60 };
        expect(rateCall(t, 60, 6).cost).toBe(fromMicro(c + r));
      }),
      { numRuns: 1000 },
    );
    expect(0.1 + 0.2).not.toBe(0.3);
    const t = { connectionCost: '0.1', perMinute: '0.2', graceSeconds: 0, initialIncrement: 60, increment: 60 };
    expect(rateCall(t, 60, 6).cost).toBe('0.300000');
  });
});
