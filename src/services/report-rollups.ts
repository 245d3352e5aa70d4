// Recomputing the reports' rollups from the calls' charges and the ledger (`didhub reports
// rebuild`): after an upgrade that changes what they hold, or to check them. One transaction, so
// the pages read either the old rows or the new ones.
import type { Db } from '../db/knex.ts';
import { rebuildReportRollups as rebuild } from '../db/repos/report-rollups.ts';
import { inTransaction } from '../db/transaction.ts';

export interface RebuildRange {
  from: string | null;
  to: string | null;
}

export async function rebuildReportRollups(db: Db, range: RebuildRange): Promise<number> {
  return inTransaction(db, (trx) => rebuild(trx, range.from, range.to));
}
