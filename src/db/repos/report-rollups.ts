// The report rollups' maintenance: the triggers keep them as charges are made; this recomputes a
// range of days from the source rows (rebuild_report_rollups, src/db/sql).
import type { Transaction } from '../transaction.ts';

/** Recomputes the days from `from` to `to` (YYYY-MM-DD, both included; null: no bound); the rows written per number and day. */
export async function rebuildReportRollups(trx: Transaction, from: string | null, to: string | null): Promise<number> {
  const result = (await trx.raw('SELECT rebuild_report_rollups(?::date, ?::date) AS written', [from, to])) as { rows: Array<{ written: string | number }> };
  return Number(result.rows[0]?.written ?? 0);
}
