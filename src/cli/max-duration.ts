import type { Command } from './command.ts';
import { maxDuration } from '../domain/rating.ts';
import { DEFAULT_DECIMALS } from '../domain/money.ts';
import { RATE_TERMS_USAGE, RATE_TERM_OPTIONS, integerOption, parseCommandArgs, requireOption, termsFromOptions, withOptionNames } from './rate-term-options.ts';

export const DEFAULT_CAP_SECONDS = 7200;

export const maxDurationCommand: Command = {
  summary: 'longest call that available funds allow under rate terms, or a refusal',
  usage: `Usage: didhub max-duration --funds AMOUNT <rate terms> [--cap ${DEFAULT_CAP_SECONDS}] [--decimals ${DEFAULT_DECIMALS}] [--json]

Prints the largest whole number of seconds whose cost, rounded as it will be charged, fits the
funds, at most the cap. When the funds do not cover the connection cost plus the initial
increment, prints "refused: <reason>" and exits with code 1.
  --funds AMOUNT               available funds (balance, plus the credit limit when postpaid)
  --cap SECONDS                maximum call length (default ${DEFAULT_CAP_SECONDS})
  --json                       print {allowed, seconds} or {allowed, reason} instead
${RATE_TERMS_USAGE}

Exit codes: 0 allowed, 1 refused, 2 bad arguments.`,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: { ...RATE_TERM_OPTIONS, funds: { type: 'string' }, cap: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    const terms = termsFromOptions(values);
    const funds = requireOption(values, 'funds');
    const cap = integerOption(values, 'cap', DEFAULT_CAP_SECONDS);
    const decimals = integerOption(values, 'decimals', DEFAULT_DECIMALS);
    const result = withOptionNames(() => maxDuration(terms, funds, cap, decimals));
    if (values.json) io.stdout.write(`${JSON.stringify(result)}\n`);
    else io.stdout.write(result.allowed ? `${result.seconds}\n` : `refused: ${result.reason}\n`);
    return result.allowed ? 0 : 1;
  },
};
