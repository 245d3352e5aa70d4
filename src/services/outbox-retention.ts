// The outbox keeps every message and each try (the delivery logs the pages show), so without a
// limit it grows with every mail and webhook forever. Messages settled (delivered or failed) more
// than OUTBOX_RETENTION_DAYS ago are deleted with their tries; pending ones are never touched.
import type { Db } from '../db/knex.ts';
import { deleteSettledOutboxMessages } from '../db/outbox.ts';
import type { Logger } from '../logger.ts';
import { startRecurringJob, type RecurringJob } from './recurring-job.ts';

const BATCH = 5000;
const DAY_MS = 86_400_000;

/** Deletes what is past retention in batches (short transactions); returns how many messages went. */
export async function pruneOutbox(db: Db, options: { retentionDays: number; now: Date }): Promise<number> {
  if (options.retentionDays <= 0) return 0;
  const before = new Date(options.now.getTime() - options.retentionDays * DAY_MS);
  let total = 0;
  for (;;) {
    const deleted = await deleteSettledOutboxMessages(db, { before, limit: BATCH });
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/** Hourly in each app process; 0 days keeps everything. */
export function startOutboxPruning(
  db: Db,
  retentionDays: number,
  logger: Pick<Logger, 'info' | 'error'>,
  intervalMs = 3_600_000,
  clock: () => Date = () => new Date(),
): RecurringJob {
  return startRecurringJob(() => pruneOutbox(db, { retentionDays, now: clock() }), intervalMs, logger, {
    done: 'outbox messages past retention deleted',
    failed: 'pruning the outbox failed',
    count: 'deleted',
  });
}
