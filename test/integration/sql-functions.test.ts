// The database's functions are the files in src/db/sql, and the money they compute in SQL is the
// money the TypeScript rater computes: a route request reserves with call_allowance/call_cost what
// maxDuration and rateCompiled (domain/rating.ts) say, to the last decimal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SQL_FUNCTIONS, sqlFunctionBody } from '../../src/db/sql/index.ts';
import { compileTerms, maxDuration, rateCompiled } from '../../src/domain/rating.ts';
import { useTestDatabase } from '../helpers/database.ts';

const database = useTestDatabase();

describe('SQL functions', () => {
  it('when the database is migrated, then each function runs exactly the body of its file in src/db/sql', async () => {
    for (const name of SQL_FUNCTIONS) {
      const result = (await database.current.db.raw('SELECT prosrc FROM pg_proc WHERE proname = ?', [name])) as { rows: Array<{ prosrc: string }> };
      expect(result.rows.map((row) => row.prosrc), name).toEqual([sqlFunctionBody(name)]);
    }
  });

  it('when random terms, funds, caps and decimals are given, then call_allowance and call_cost agree with maxDuration and rateCompiled', async () => {
    const amount = fc.oneof(
      fc.constantFrom('0', '0.01', '0.10', '0.60', '1.20', '0.000001', '12.00'),
      fc.integer({ min: 0, max: 50_000_000 }).map((micro) => (micro / 1_000_000).toFixed(6)),
    );
    const cases = fc.sample(fc.record({
      connectionCost: amount,
      perMinute: amount,
      graceSeconds: fc.integer({ min: 0, max: 120 }),
      initialIncrement: fc.integer({ min: 0, max: 120 }),
      increment: fc.integer({ min: 0, max: 120 }),
      funds: fc.oneof(amount, fc.integer({ min: -5_000_000, max: 500_000_000 }).map((micro) => (micro / 1_000_000).toFixed(6))),
      cap: fc.integer({ min: 1, max: 14_400 }),
      decimals: fc.integer({ min: 0, max: 6 }),
      seconds: fc.integer({ min: 0, max: 20_000 }),
    }), { numRuns: 400, seed: 13 });
    const result = (await database.current.db.raw(
      `SELECT a.seconds, a.needed::text AS needed, a.short,
              call_cost(t.terms, u.seconds, u.decimals)::text AS cost
         FROM unnest(?::numeric[], ?::numeric[], ?::int[], ?::int[], ?::int[], ?::numeric[], ?::int[], ?::int[], ?::int[])
              WITH ORDINALITY AS u(c, r, g, i, n, funds, cap, decimals, seconds, ord)
        CROSS JOIN LATERAL (SELECT ROW(u.c, u.g, u.r, u.i, u.n)::rate_terms AS terms) t
        CROSS JOIN LATERAL call_allowance(t.terms, u.funds, u.cap, u.decimals) a
        ORDER BY u.ord`,
      [
        cases.map((c) => c.connectionCost), cases.map((c) => c.perMinute), cases.map((c) => c.graceSeconds),
        cases.map((c) => c.initialIncrement), cases.map((c) => c.increment), cases.map((c) => c.funds),
        cases.map((c) => c.cap), cases.map((c) => c.decimals), cases.map((c) => c.seconds),
      ],
    )) as { rows: Array<{ seconds: number | null; needed: string | null; short: string | null; cost: string }> };
    cases.forEach((c, index) => {
      const terms = compileTerms(c);
      const expected = maxDuration(terms, c.funds, c.cap, c.decimals);
      const row = result.rows[index]!;
      const label = JSON.stringify(c);
      expect(row.seconds, label).toBe(expected.allowed ? expected.seconds : null);
      if (!expected.allowed) expect(expected.reason, label).toContain(`(${row.needed})`);
      expect(row.cost, label).toBe(rateCompiled(terms, c.seconds, c.decimals).cost);
    });
  });
});
