import type { Command } from './command.ts';
import { describeBreakdown, parseDecimals, parseDuration, rateCall } from '../domain/rating.ts';
import { DEFAULT_DECIMALS } from '../domain/money.ts';
import { RATE_TERMS_USAGE, RATE_TERM_OPTIONS, integerOption, parseCommandArgs, termsFromOptions, withOptionNames } from './rate-term-options.ts';

export const rateCommand: Command = {
  summary: 'cost of one call: rate terms and a duration in, cost (and breakdown) out',
  usage: `Usage: didhub rate --duration SECONDS <rate terms> [--decimals ${DEFAULT_DECIMALS}] [--json]

Prints the cost of a call of SECONDS answered seconds, e.g. 1.3000.
  --duration SECONDS           answered seconds (FreeSWITCH billsec)
  --json                       print {cost, billedSeconds, breakdown, text} instead
${RATE_TERMS_USAGE}

Example: didhub rate --duration 125 --connection-cost 0.10 --grace 10 --per-minute 0.60 --initial-increment 60 --increment 6
Exit codes: 0 rated, 2 bad arguments.`,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: { ...RATE_TERM_OPTIONS, duration: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    const terms = termsFromOptions(values);
    const duration = integerOption(values, 'duration');
    const decimals = integerOption(values, 'decimals', DEFAULT_DECIMALS);
    const rated = withOptionNames(() => rateCall(terms, parseDuration(duration), parseDecimals(decimals)));
    if (values.json) {
      const text = describeBreakdown(rated);
      io.stdout.write(`${JSON.stringify({ cost: rated.cost, billedSeconds: rated.billedSeconds, breakdown: rated.breakdown, text }, null, 2)}\n`);
    } else {
      io.stdout.write(`${rated.cost}\n`);
    }
    return 0;
  },
};
