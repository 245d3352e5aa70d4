import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/db/batcher.ts';

/** A query stand-in that records each batch and answers when told to (or at once). */
function recorder(options: { failWhen?: (inputs: number[]) => boolean; manual?: boolean } = {}) {
  const batches: number[][] = [];
  const pending: Array<() => void> = [];
  let inFlight = 0;
  let maxSeen = 0;
  const run = (inputs: number[]): Promise<number[]> => {
    batches.push(inputs);
    inFlight += 1;
    maxSeen = Math.max(maxSeen, inFlight);
    return new Promise<number[]>((resolve, reject) => {
      const answer = () => {
        inFlight -= 1;
        if (options.failWhen?.(inputs)) reject(new Error(`bad batch ${inputs.join(',')}`));
        else resolve(inputs.map((n) => n * 10));
      };
      if (options.manual) pending.push(answer);
      else setImmediate(answer);
    });
  };
  return { run, batches, pending, maxInFlight: () => maxSeen };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('when one request comes alone, then it goes alone at the end of the turn', async () => {
    const query = recorder();
    const batcher = new Batcher(query.run, { maxBatch: 10, maxInFlight: 2 });
    expect(await batcher.run(7)).toBe(70);
    expect(query.batches).toEqual([[7]]);
  });

  it('when requests arrive in the same turn, then they share one query and each gets its own answer', async () => {
    const query = recorder();
    const batcher = new Batcher(query.run, { maxBatch: 10, maxInFlight: 2 });
    expect(await Promise.all([1, 2, 3].map((n) => batcher.run(n)))).toEqual([10, 20, 30]);
    expect(query.batches).toEqual([[1, 2, 3]]);
  });

  it('when every query in flight is busy, then the requests arriving meanwhile wait and go together, in arrival order', async () => {
    const query = recorder({ manual: true });
    const batcher = new Batcher(query.run, { maxBatch: 10, maxInFlight: 1 });
    const first = batcher.run(1);
    await settle();
    const later = [2, 3, 4].map((n) => batcher.run(n));
    await settle();
    expect(query.batches).toEqual([[1]]);
    query.pending.shift()!();
    expect(await first).toBe(10);
    // The finished query hands over to the waiting requests on the next turn.
    await settle();
    await settle();
    expect(query.batches).toEqual([[1], [2, 3, 4]]);
    query.pending.shift()!();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('when more requests wait than a batch holds, then they are split at maxBatch', async () => {
    const query = recorder();
    const batcher = new Batcher(query.run, { maxBatch: 2, maxInFlight: 5 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.run(n)));
    expect(query.batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('when a batch fails, then each of its requests is tried alone and only the bad one fails', async () => {
    const query = recorder({ failWhen: (inputs) => inputs.includes(3) });
    const batcher = new Batcher(query.run, { maxBatch: 10, maxInFlight: 2 });
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => batcher.run(n)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([10, 20, 'bad batch 3', 40]);
    expect(query.batches[0]).toEqual([1, 2, 3, 4]);
  });

  it('for any arrival pattern, every request gets its own answer once, no batch exceeds its size and queries in flight stay within the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        async (waves, maxBatch, maxInFlight) => {
          const query = recorder();
          const batcher = new Batcher(query.run, { maxBatch, maxInFlight });
          const answers: Array<Promise<number>> = [];
          let n = 0;
          for (const size of waves) {
            for (let i = 0; i < size; i += 1) answers.push(batcher.run((n += 1)));
            await settle();
          }
          const results = await Promise.all(answers);
          expect(results).toEqual(results.map((_, i) => (i + 1) * 10));
          expect(query.batches.flat().sort((a, b) => a - b)).toEqual(results.map((_, i) => i + 1));
          expect(Math.max(...query.batches.map((b) => b.length))).toBeLessThanOrEqual(maxBatch);
          expect(query.maxInFlight()).toBeLessThanOrEqual(maxInFlight);
        },
      ),
      { numRuns: 100 },
    );
  });
});
