import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import {
  applyPlanMarkup, describeMarkup, markUp, parsePlanMarkup, planMargin, versionInForce, type PlanTerms,
} from '../../src/domain/rate-plans.ts';
import { parseRateTermFields } from '../../src/domain/did-terms.ts';
import { parseEffectiveAt, parsePlanForm } from '../../src/web/routes/rate-plans/schema.ts';

const at = (iso: string) => new Date(iso);
const versions = [
  { id: 1, effective_from: at('2026-01-01T00:00:00Z') },
  { id: 3, effective_from: at('2026-03-01T00:00:00Z') },
  { id: 2, effective_from: at('2026-02-01T00:00:00Z') },
];

describe('the version in force', () => {
  it.each([
    ['2025-12-31T23:59:59Z', undefined],
    ['2026-01-01T00:00:00Z', 1],
    ['2026-01-31T23:59:59.999Z', 1],
    ['2026-02-01T00:00:00Z', 2],
    ['2026-02-15T12:00:00Z', 2],
    ['2026-03-01T00:00:00Z', 3],
    ['2030-01-01T00:00:00Z', 3],
  ])('when the call is answered at %s, then version %s applies', (instant, expected) => {
    expect(versionInForce(versions, at(instant))?.id).toBe(expected);
  });

  it('when versions come in any order, then the one in force is the latest not after the instant', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: -10, max: 1_000_010 }), (starts, instant) => {
        const list = [...new Set(starts)].map((start, id) => ({ id, effective_from: new Date(start * 1000) }));
        const found = versionInForce(list, new Date(instant * 1000));
        const eligible = list.filter((v) => v.effective_from.getTime() <= instant * 1000);
        if (eligible.length === 0) return found === undefined;
        return found !== undefined && found.effective_from.getTime() === Math.max(...eligible.map((v) => v.effective_from.getTime()));
      }),
    );
  });
});

const buy: PlanTerms = { connection_cost: '0.012300', grace_seconds: 6, cost_per_minute: '0.008500', initial_increment: 30, increment: 6 };

describe('markup over buy terms', () => {
  it.each([
    ['0.008500', '20', '0', '0.010200'],
    ['0.008500', '12.5', '0', '0.009563'], // 0.0095625 rounds HALF_UP once
    ['0.008500', '12.5', '0.001', '0.010563'], // 0.0105625
    ['0.012300', '0', '0.0025', '0.014800'],
    ['1.000000', '-10', '0', '0.900000'],
    ['0.010000', '-100', '0', '0.000000'],
    ['0.010000', '0', '-0.05', '0.000000'], // a price never goes below zero
  ])('when %s is marked up %s%% plus %s, then it sells at %s', (amount, percent, fixed, expected) => {
    expect(markUp(amount, percent, fixed)).toBe(expected);
  });

  it('when a markup takes a price beyond NUMERIC(20,6), then it is refused rather than stored out of range', () => {
    expect(() => markUp('99999999999999.999999', '100', '0')).toThrowError(/would be 199999999999999\.999998, more than the largest amount/);
  });

  it('when a markup plan is applied, then amounts are marked up and the seconds stay the buy terms', () => {
    const sell = applyPlanMarkup(buy, {
      connection_markup_percent: '10', connection_markup_amount: '0.0001', per_minute_markup_percent: '12.5', per_minute_markup_amount: '0.001',
    });
    expect(sell).toEqual({ connection_cost: '0.013630', grace_seconds: 6, cost_per_minute: '0.010563', initial_increment: 30, increment: 6 });
  });

  it('when any markup is applied, then it equals the exact decimal result rounded once to 6 places', () => {
    const amount = fc.tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 999_999 })).map(([w, f]) => `${w}.${String(f).padStart(6, '0')}`);
    const percent = fc.tuple(fc.integer({ min: -100, max: 1000 }), fc.integer({ min: 0, max: 9999 })).map(([w, f]) => (w === -100 ? '-100' : `${w}.${String(f).padStart(4, '0')}`));
    const fixed = fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 999_999 })).map(([w, f]) => `${w}.${String(f).padStart(6, '0')}`);
    fc.assert(
      fc.property(amount, percent, fixed, (a, p, f) => {
        const exact = new Decimal(a).times(new Decimal(p).div(100).plus(1)).plus(f);
        const expected = Decimal.max(0, exact.toDecimalPlaces(6, Decimal.ROUND_HALF_UP)).toFixed(6);
        return markUp(a, p, f) === expected;
      }),
    );
  });

  it('when the markup is zero, then the sell terms are the buy terms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (micro) => {
        const amount = new Decimal(micro).div(1_000_000).toFixed(6);
        return markUp(amount, '0', '0') === amount;
      }),
    );
  });

  it('when the markup form is filled, then empty means 0 and bad values get one message each', () => {
    expect(parsePlanMarkup({ per_minute_markup_percent: '20' })).toEqual({
      ok: true,
      markup: { connection_markup_percent: '0.0000', connection_markup_amount: '0.000000', per_minute_markup_percent: '20.0000', per_minute_markup_amount: '0.000000' },
    });
    const bad = parsePlanMarkup({ connection_markup_percent: '-150', per_minute_markup_percent: '1,5', per_minute_markup_amount: '0.0000001' });
    expect(bad).toEqual({
      ok: false,
      errors: {
        connection_markup_percent: 'A discount cannot exceed 100%',
        per_minute_markup_percent: '"1,5" is not a percentage: use digits and a point, like 20 or 12.5',
        per_minute_markup_amount: 'Use at most 6 decimals',
      },
    });
    expect(describeMarkup('20.0000', '0.000000')).toBe('+20%');
    expect(describeMarkup('-5', '0.01')).toBe('−5% +0.01');
    expect(describeMarkup('0', '0')).toBe('at cost');
  });
});

describe('margins', () => {
  it('when sell terms are above buy terms, then every margin is positive', () => {
    const sell = { ...buy, connection_cost: '0.020000', cost_per_minute: '0.010000' };
    const margin = planMargin(buy, sell, 4);
    expect(margin.connection).toBe('0.007700');
    expect(margin.perMinute).toBe('0.001500');
    expect(margin.negative).toBe(false);
    expect(margin.calls.find((c) => c.seconds === 3600)).toEqual({ seconds: 3600, buy: '0.5215', sell: '0.6190', margin: '0.0975' });
  });

  it('when the per-minute price is below cost, then the margin is negative', () => {
    const margin = planMargin(buy, { ...buy, cost_per_minute: '0.008000' }, 4);
    expect(margin.perMinute).toBe('-0.000500');
    expect(margin.negative).toBe(true);
  });

  it('when only the grace time is longer than the buy terms, then the calls show the loss', () => {
    const margin = planMargin(buy, { ...buy, grace_seconds: 60 }, 4);
    expect(margin.connection).toBe('0.000000');
    expect(margin.perMinute).toBe('0.000000');
    expect(margin.negative).toBe(true);
  });
});

describe('the plan form', () => {
  const now = new Date('2026-11-29T12:00:00Z');
  it('when the terms are those of the DID form, then they are checked with its rules and words', () => {
    expect(parseRateTermFields({ connection_cost: '', grace_seconds: '-1', cost_per_minute: 'abc', initial_increment: '1.5', increment: '6' })).toEqual({
      ok: false,
      errors: {
        connection_cost: 'Enter an amount (0 for none)',
        grace_seconds: 'Must not be negative',
        cost_per_minute: '"abc" is not an amount: use digits and a point, like 0.0100',
        initial_increment: 'Must be a whole number of seconds, like 60',
      },
    });
  });

  it('when a change starts later, then the moment is read as UTC and must be in the future', () => {
    expect(parseEffectiveAt('2026-12-01T00:00')?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(parseEffectiveAt('2026-02-30T00:00')).toBeUndefined();
    const terms = { name: 'US local', connection_cost: '0', grace_seconds: '0', cost_per_minute: '0.01', initial_increment: '60', increment: '60' };
    const past = parsePlanForm({ ...terms, effective: 'later', effective_at: '2026-11-29T11:00' }, { kind: 'absolute', now, withName: true });
    expect(past).toEqual({ ok: false, errors: { effective_at: 'Choose a moment in the future, or “now”' } });
    const later = parsePlanForm({ ...terms, effective: 'later', effective_at: '2026-12-01T08:30' }, { kind: 'absolute', now, withName: true });
    expect(later.ok && later.data.effectiveFrom.toISOString()).toBe('2026-12-01T08:30:00.000Z');
    const missingName = parsePlanForm({ ...terms, name: ' ' }, { kind: 'absolute', now, withName: true });
    expect(missingName).toEqual({ ok: false, errors: { name: 'Enter the plan’s name' } });
  });
});
