// A job that runs every `intervalMs` in each app process, one run at a time; `stop` waits for the
// run in progress. It also runs once `firstRunMs` after start: what came due while the server was
// down (expired holds, abandoned payments, old outbox rows) is done at start, not an interval
// later. Jobs that may run in several processes at once must be safe for it (row locks).
import type { Logger } from '../logger.ts';

export interface RecurringJob {
  stop(): Promise<void>;
}

/** `work` returns how many things it did; a run that did something is logged as `done`. */
export function startRecurringJob(
  work: () => Promise<number>,
  intervalMs: number,
  logger: Pick<Logger, 'info' | 'error'>,
  messages: { done: string; failed: string; count: string },
  firstRunMs = 2_000,
): RecurringJob {
  let current: Promise<void> | undefined;
  const run = () => {
    if (current) return;
    current = work()
      .then((count) => {
        if (count > 0) logger.info({ [messages.count]: count }, messages.done);
      })
      .catch((error: unknown) => logger.error({ err: error }, messages.failed))
      .finally(() => {
        current = undefined;
      });
  };
  const first = setTimeout(run, Math.min(firstRunMs, intervalMs));
  const timer = setInterval(run, intervalMs);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await current;
    },
  };
}
