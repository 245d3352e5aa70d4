// A job that runs every `intervalMs` in each app process, one run at a time; `stop` waits for the
// run in progress. Jobs that may run in several processes at once must be safe for it (row locks).
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
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
