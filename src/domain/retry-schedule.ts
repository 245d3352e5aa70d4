// When a message that could not be delivered is tried again: the Standard Webhooks schedule
// (immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), about 27.6 hours in all, so a
// receiver that is down for a day still gets everything. Mail follows the same schedule.

/** Seconds to wait after the Nth failed try (N from 1); undefined: give up, the message failed. */
export const RETRY_DELAYS_SECONDS: readonly number[] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

export function retryDelaySeconds(failedAttempts: number): number | undefined {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) throw new RangeError(`failedAttempts must be a positive integer, got ${failedAttempts}`);
  return RETRY_DELAYS_SECONDS[failedAttempts - 1];
}

/** The moment of the next try after `failedAttempts` failures at `now`, or undefined when the message has failed for good. */
export function nextAttemptAt(failedAttempts: number, now: Date): Date | undefined {
  const delay = retryDelaySeconds(failedAttempts);
  return delay === undefined ? undefined : new Date(now.getTime() + delay * 1000);
}
