// The report rollups' maintenance: the triggers add rows as charges are made; these fold them
// (compact_report_rollups) and recompute a range of days from the source rows
// (rebuild_report_rollups), both in src/db/sql.
import type { Transaction } from '../transaction.ts';

/** Recomputes the days from `from` to `to` (YYYY-MM-DD, both included; null: no bound); the rows written per number and day. */
export async function rebuildReportRollups(trx: Transaction, from: string | null, to: string | null): Promise<number> {
  const result = (await trx.raw('SELECT rebuild_report_rollups(?::date, ?::date) AS written', [from, to])) as { rows: Array<{ written: string | number }> };
  return Number(result.rows[0]?.written ?? 0);
}

/** Folds the rows the charges added into one row per key (compact_report_rollups); the rows folded. */
export async function compactReportRollups(trx: Transaction): Promise<number> {
  const result = (await trx.raw('SELECT compact_report_rollups() AS folded')) as { rows: Array<{ folded: string | number }> };
  return Number(result.rows[0]?.folded ?? 0);
}
