// `didhub notices run [--now ISO]`: the notice jobs the billing schedule runs after each renewal
// run (low balance, renewal not covered, one-time number expiring), by hand.
import type { Db } from '../db/knex.ts';
import type { Config } from '../config.ts';
import { runNoticeJobs, type NoticeRunSummary } from '../services/notice-jobs.ts';
import { parseNow } from './billing.ts';
import { UsageError, type CliIo, type Command } from './command.ts';
import { parseCommandArgs } from './rate-term-options.ts';
import { withDatabase } from './with-database.ts';

const USAGE = `Usage: didhub notices run [--now 2027-01-31T00:00:00Z]

Records the notices due at --now (default: the current time), each once however often it runs:
a low-balance warning for each account whose funds fell below its threshold since its last warning,
a renewal notice for each renewal due within RENEWAL_NOTICE_DAYS that the owner's funds will not
cover, and an expiry notice for each one-time number whose term ends within RENEWAL_NOTICE_DAYS.
Their mails go out through the outbox. The billing schedule runs this after every renewal run.
Exit codes: 0 done, 2 bad arguments.`;

export async function noticesRun(db: Db, config: Config, now: Date, io: CliIo): Promise<NoticeRunSummary> {
  const summary = await runNoticeJobs(db, { now, noticeDays: config.renewalNoticeDays, graceDays: config.billingGraceDays });
  io.stdout.write(`Notices at ${now.toISOString()}: ${summary.lowBalance} low balance, ${summary.renewalNotices} renewal, ${summary.expiring} expiring\n`);
  return summary;
}

export const noticesCommand: Command = {
  summary: 'notices run: record low-balance, renewal and expiry notices that are due (each once)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({ args, options: { now: { type: 'string' } }, allowPositionals: true });
    if (positionals.length !== 1 || positionals[0] !== 'run') throw new UsageError(positionals.length === 0 ? 'say what to do: notices run' : `unknown notices action "${positionals.join(' ')}"`);
    const now = parseNow(values.now);
    await withDatabase((db, config) => noticesRun(db, config, now, io));
    return 0;
  },
};
