// `didhub invoices run --period 2027-01 [--now ISO]`: issues the invoices due for a period.
import type { Db } from '../db/knex.ts';
import type { Config } from '../config.ts';
import { formatMoney, sumMoney } from '../domain/money.ts';
import { invoicePeriod } from '../domain/invoices.ts';
import { findAccountById } from '../db/repos/accounts.ts';
import { runInvoices, type InvoiceRunResult } from '../services/invoices.ts';
import { UsageError, type CliIo, type Command } from './command.ts';
import { parseCommandArgs } from './rate-term-options.ts';
import { parseNow } from './billing.ts';
import { withDatabase } from './with-database.ts';

const USAGE = `Usage: didhub invoices run --period 2027-01 [--now 2027-02-01T00:00:00Z]

Issues one invoice per account with ledger rows in the period whose billing cycle has ended at
--now (default: the current time), numbered per issuer without gaps; taxes are charged as each is
issued. Safe to run again or alongside the server's schedule: an account's period is invoiced once.
  --period YYYY-MM   the billing period (an account billed on day D: from D of that month to D of the next)
  --now ISO          the clock of the run
Exit codes: 0 done, 2 bad arguments.`;

export async function invoicesRun(db: Db, config: Config, args: { period: string; now: Date }, io: CliIo): Promise<InvoiceRunResult> {
  const money = (amount: string) => formatMoney(amount, { currency: config.currency, decimals: config.moneyDecimals });
  const result = await runInvoices(db, { period: args.period, now: args.now, currency: config.currency, decimals: config.moneyDecimals });
  for (const invoice of result.issued) {
    const account = await findAccountById(db, invoice.account_id);
    io.stdout.write(
      `  ${invoice.number.padEnd(14)} ${`${account?.name ?? ''} (#${invoice.account_id})`.padEnd(32)} ${money(invoice.total).padStart(14)}  `
      + `${invoice.status === 'paid' ? 'paid' : `due ${invoice.due_at?.toISOString().slice(0, 10) ?? ''}`}\n`,
    );
  }
  const count = result.issued.length;
  if (count === 0) {
    io.stdout.write('0 invoices issued\n');
    return result;
  }
  const total = sumMoney(result.issued.map((invoice) => invoice.total));
  const taxes = sumMoney(result.issued.map((invoice) => invoice.tax_total));
  const open = result.issued.filter((invoice) => invoice.status === 'open').length;
  io.stdout.write(`Issued ${count} invoice${count === 1 ? '' : 's'} (${money(total.toFixed())} including ${money(taxes.toFixed())} taxes; ${open} open, ${count - open} paid) for ${result.period}\n`);
  return result;
}

export const invoicesCommand: Command = {
  summary: 'invoices run --period YYYY-MM: issue the invoices due for a billing period',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: { period: { type: 'string' }, now: { type: 'string' } },
      allowPositionals: true,
    });
    if (positionals.length !== 1 || positionals[0] !== 'run') throw new UsageError(positionals.length === 0 ? 'say what to do: invoices run' : `unknown invoices action "${positionals.join(' ')}"`);
    const period = values.period;
    if (period === undefined) throw new UsageError('--period is required, like --period 2027-01');
    try {
      invoicePeriod(period, 1);
    } catch {
      throw new UsageError(`--period is a month written YYYY-MM, like 2027-01 (got "${period}")`);
    }
    const now = parseNow(values.now);
    return withDatabase(async (db, config) => {
      io.stdout.write(`Invoices for ${period} at ${now.toISOString()}\n`);
      await invoicesRun(db, config, { period, now }, io);
      return 0;
    });
  },
};
