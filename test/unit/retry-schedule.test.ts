import { describe, expect, it } from 'vitest';
import { RETRY_DELAYS_SECONDS, nextAttemptAt, retryDelaySeconds } from '../../src/domain/retry-schedule.ts';

describe('retry schedule', () => {
  it.each([
    [1, 5],
    [2, 300],
    [3, 1800],
    [4, 7200],
    [5, 18_000],
    [6, 36_000],
    [7, 36_000],
    [8, undefined],
    [50, undefined],
  ])('when %i tries have failed, then the next waits %s seconds', (failed, delay) => {
    expect(retryDelaySeconds(failed)).toBe(delay);
  });

  it('when every retry is used, then more than 24 hours have passed since the first try', () => {
    const total = RETRY_DELAYS_SECONDS.reduce((sum, seconds) => sum + seconds, 0);
    expect(total).toBeGreaterThan(24 * 3600);
  });

  it('when a count is not a positive integer, then it is refused', () => {
    expect(() => retryDelaySeconds(0)).toThrow(RangeError);
    expect(() => retryDelaySeconds(1.5)).toThrow(RangeError);
  });

  it('when the schedule gives a delay, then the next attempt is that long after now', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    expect(nextAttemptAt(2, now)?.toISOString()).toBe('2027-01-01T00:05:00.000Z');
    expect(nextAttemptAt(8, now)).toBeUndefined();
  });
});
