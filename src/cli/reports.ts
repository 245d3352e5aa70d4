// `didhub reports rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: recomputes the reports' daily
// rollups from the source rows (the calls' charges and the number fees in the ledger).
import { rebuildReportRollups } from '../services/report-rollups.ts';
import { UsageError, type Command } from './command.ts';
import { parseCommandArgs } from './rate-term-options.ts';
import { withDatabase } from './with-database.ts';

const USAGE = `Usage: didhub reports rebuild [--from 2026-11-01] [--to 2026-11-30]

Recomputes the rollups the reports read (report_number_days, report_cube_days and the numbers'
last call days) for the days from --from to --to (UTC dates, both included; each defaults to no
bound), from the calls' charges and the number fees in the ledger, in one transaction. Charging
keeps the rollups up to date by itself: run this after an upgrade that changes them, or to check.
Exit codes: 0 done, 2 bad arguments.`;

function dateOption(name: string, text: string | undefined): string | null {
  if (text === undefined) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`)) || !new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)) {
    throw new UsageError(`--${name} must be a date like 2026-11-01 (got "${text}")`);
  }
  return text;
}

export const reportsCommand: Command = {
  summary: 'reports rebuild: recompute the reports\' daily rollups from the charges (--from, --to)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' } }, allowPositionals: true });
    if (positionals.length !== 1 || positionals[0] !== 'rebuild') throw new UsageError(positionals.length === 0 ? 'say what to do: reports rebuild' : `unknown reports action "${positionals.join(' ')}"`);
    const from = dateOption('from', values.from);
    const to = dateOption('to', values.to);
    if (from && to && from > to) throw new UsageError('--to is before --from');
    const written = await withDatabase((db) => rebuildReportRollups(db, { from, to }));
    io.stdout.write(`Report rollups rebuilt (${from ?? 'the first day'} to ${to ?? 'the last day'}): ${written} rows per number and day\n`);
    return 0;
  },
};
