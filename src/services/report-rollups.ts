// The reports' rollups: folding the rows each charge adds (a recurring job, so the tables stay
// one row per key and day), and recomputing them from the calls' charges and the ledger
// (`didhub reports rebuild`: after an upgrade that changes what they hold, or to check them). Each
// in one transaction, so the pages read the same sums before and after.
import type { Db } from '../db/knex.ts';
import { compactReportRollups as compact, rebuildReportRollups as rebuild } from '../db/repos/report-rollups.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Logger } from '../logger.ts';
import { startRecurringJob, type RecurringJob } from './recurring-job.ts';

export interface RebuildRange {
  from: string | null;
  to: string | null;
}

export async function rebuildReportRollups(db: Db, range: RebuildRange): Promise<number> {
  return inTransaction(db, (trx) => rebuild(trx, range.from, range.to));
}

export async function compactReportRollups(db: Db): Promise<number> {
  return inTransaction(db, (trx) => compact(trx));
}

/** Every `intervalMs` (one minute by default), in each app process. */
export function startReportCompaction(db: Db, logger: Pick<Logger, 'info' | 'error'>, intervalMs = 60_000): RecurringJob {
  return startRecurringJob(() => compactReportRollups(db), intervalMs, logger, {
    done: 'report rollups compacted', failed: 'compacting the report rollups failed', count: 'rows',
  });
}
