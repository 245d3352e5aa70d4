// `didhub billing run [--now ISO]`: the renewal job by hand, for catch-up and tests.
import type { Db } from '../db/knex.ts';
import type { Config } from '../config.ts';
import { formatMoney } from '../domain/money.ts';
import type { BillingEventReport } from '../services/renewal-batch.ts';
import { runBilling, type BillingRunSummary } from '../services/renewals.ts';
import { UsageError, type CliIo, type Command } from './command.ts';
import { parseCommandArgs } from './rate-term-options.ts';
import { withDatabase } from './with-database.ts';

const USAGE = `Usage: didhub billing run [--now 2027-01-31T00:00:00Z] [--grace-days N] [--quiet]

Renews every subscription due at --now (default: the current time): charges recurring fees at the
price locked at purchase, suspends what the owner's funds do not cover, releases numbers still
unpaid after the grace period, and ends one-time subscriptions whose days have passed. After
downtime, every missed period is charged once, in order. Safe to run again or alongside the
server's schedule: a period is never charged twice.
  --now ISO          the clock of the run (a date-time with its zone, e.g. 2027-01-31T00:00:00Z)
  --grace-days N     days an unpaid subscription stays suspended before release (default BILLING_GRACE_DAYS)
  --quiet            print the totals only, not each subscription
Exit codes: 0 done, 1 some renewals failed (see the list), 2 bad arguments.`;

/** Lines of each kind printed in full; the rest are summed up. */
const LISTED_PER_KIND = 50;

export function parseNow(text: string | undefined): Date {
  if (text === undefined) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text)) {
    throw new UsageError(`--now must be an ISO date or date-time with a zone, like 2027-01-31T00:00:00Z (got "${text}")`);
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now is not a real date: "${text}"`);
  return date;
}

function parseGrace(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,3}$/.test(text)) throw new UsageError(`--grace-days must be a whole number of days (got "${text}")`);
  return Number(text);
}

const LABELS: Record<BillingEventReport['kind'], string> = {
  renewed: 'Renewed',
  reactivated: 'Reactivated',
  suspended: 'Suspended',
  released: 'Released',
  expired: 'Expired',
  failed: 'FAILED',
};

function describe(event: BillingEventReport, money: (amount: string) => string): string {
  const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '');
  const who = event.number ? `${event.number}  ${event.accountName} (#${event.accountId})` : '';
  switch (event.kind) {
    case 'renewed':
      return `${who}  ${money(event.amount ?? '0')}  ${day(event.periodStart)} to ${day(event.periodEnd)}`;
    case 'failed':
      return `subscription #${event.subscriptionId}: ${event.note ?? ''}`;
    default:
      return `${who}  ${event.amount ? `${money(event.amount)}  ` : ''}${event.note ?? ''}`;
  }
}

export function summaryLine(summary: BillingRunSummary, money: (amount: string) => string): string {
  const seconds = summary.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(summary.renewed / seconds) : summary.renewed;
  return `Billing run${summary.run ? ` #${summary.run.id}` : ''}: ${summary.renewed} renewed (${money(summary.renewedTotal)}), `
    + `${summary.reactivated} reactivated, ${summary.suspended} suspended (${money(summary.suspendedTotal)} unpaid), `
    + `${summary.released} released, ${summary.expired} expired, ${summary.failed} failed in ${seconds.toFixed(1)} s (${rate} renewals/s)`;
}

export async function billingRun(db: Db, config: Config, args: { now: Date; graceDays: number; quiet: boolean }, io: CliIo): Promise<number> {
  const money = (amount: string) => formatMoney(amount, { currency: config.currency, decimals: config.moneyDecimals });
  const shown = new Map<BillingEventReport['kind'], number>();
  io.stdout.write(`Billing run at ${args.now.toISOString()} (grace ${args.graceDays} days)\n`);
  const summary = await runBilling(db, {
    now: args.now,
    trigger: 'command',
    graceDays: args.graceDays,
    onEvent: (event) => {
      const count = (shown.get(event.kind) ?? 0) + 1;
      shown.set(event.kind, count);
      const listed = event.kind === 'failed' || (!args.quiet && count <= LISTED_PER_KIND);
      if (listed) io.stdout.write(`  ${LABELS[event.kind].padEnd(11)} ${describe(event, money)}\n`);
    },
  });
  if (!args.quiet) {
    for (const [kind, count] of shown) {
      if (kind !== 'failed' && count > LISTED_PER_KIND) io.stdout.write(`  ${LABELS[kind].padEnd(11)} ... and ${count - LISTED_PER_KIND} more\n`);
    }
  }
  io.stdout.write(`Renewed:     ${summary.renewed}  ${money(summary.renewedTotal)}\n`);
  io.stdout.write(`Reactivated: ${summary.reactivated}\n`);
  io.stdout.write(`Suspended:   ${summary.suspended}  ${money(summary.suspendedTotal)} not covered\n`);
  io.stdout.write(`Released:    ${summary.released}\n`);
  io.stdout.write(`Expired:     ${summary.expired}\n`);
  io.stdout.write(`Failed:      ${summary.failed}\n`);
  io.stdout.write(`${summaryLine(summary, money)}\n`);
  return summary.failed > 0 ? 1 : 0;
}

export const billingCommand: Command = {
  summary: 'billing run: renew due subscriptions, suspend unpaid ones, release after the grace period',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: { now: { type: 'string' }, 'grace-days': { type: 'string' }, quiet: { type: 'boolean' } },
      allowPositionals: true,
    });
    if (positionals.length !== 1 || positionals[0] !== 'run') throw new UsageError(positionals.length === 0 ? 'say what to do: billing run' : `unknown billing action "${positionals.join(' ')}"`);
    const now = parseNow(values.now);
    return withDatabase(async (db, config) => {
      const graceDays = parseGrace(values['grace-days'], config.billingGraceDays);
      return billingRun(db, config, { now, graceDays, quiet: values.quiet ?? false }, io);
    });
  },
};
