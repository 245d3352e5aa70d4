import { open, rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { UsageError, type Command } from './command.ts';
import { DEFAULT_DECIMALS } from '../domain/money.ts';
import { RatingInputError, parseDecimals } from '../domain/rating.ts';
import { CdrFileError, REQUIRED_CDR_COLUMNS, rateCdrStream } from '../services/rate-cdr-file.ts';
import { integerOption, parseCommandArgs } from './rate-term-options.ts';

export const rateCdrsCommand: Command = {
  summary: 'rate a CSV of call records, streaming: appends cost,billed_seconds to every row',
  usage: `Usage: didhub rate-cdrs IN.csv [-o OUT.csv] [--decimals ${DEFAULT_DECIMALS}]

Reads IN.csv ("-" for standard input) as a stream and writes every row with the columns
cost,billed_seconds appended, to OUT.csv or to standard output. The header must have the columns
  ${REQUIRED_CDR_COLUMNS.join(',')}
(billsec in seconds, the rate terms of BILLING.md); other columns pass through unchanged, in order.
A row that cannot be rated (a bad value, a wrong number of fields, broken quoting) is reported on
standard error with its line number and the reason, and is NOT written to the output; the run goes
on. A summary (rows rated, rows rejected, total cost) ends standard error. Memory stays constant
whatever the size of the file.
  -o, --output OUT.csv         write here instead of standard output
  --decimals N                 decimal places of the cost, 0..6 (default ${DEFAULT_DECIMALS})

Exit codes: 0 every row rated, 1 some rows rejected (the others are written),
2 bad arguments or an unusable input (unreadable, no header, a required column missing).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: { output: { type: 'string', short: 'o' }, decimals: { type: 'string' } },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one input file (or - for standard input)');
    const inputPath = positionals[0]!;
    const outputPath = values.output;
    const decimalsOption = integerOption(values, 'decimals', DEFAULT_DECIMALS);
    let decimals: number;
    try {
      decimals = parseDecimals(decimalsOption);
    } catch (error) {
      if (error instanceof RatingInputError) throw new UsageError(`--decimals ${error.detail}`);
      throw error;
    }

    const fail = (message: string): number => {
      io.stderr.write(`didhub rate-cdrs: ${message}\n`);
      return 2;
    };
    let input: Readable;
    let output: Writable;
    let outputOpened = false;
    try {
      input = inputPath === '-' ? process.stdin : (await open(inputPath, 'r')).createReadStream();
    } catch (error) {
      return fail(`cannot read ${inputPath}: ${(error as Error).message}`);
    }
    try {
      if (outputPath === undefined) {
        output = io.stdout;
      } else {
        output = (await open(outputPath, 'w')).createWriteStream();
        outputOpened = true;
      }
    } catch (error) {
      input.destroy();
      return fail(`cannot write ${outputPath}: ${(error as Error).message}`);
    }

    try {
      const summary = await rateCdrStream(input, output, {
        decimals,
        endOutput: outputPath !== undefined,
        onReject: ({ line, reason }) => io.stderr.write(`${inputPath} line ${line}: ${reason}\n`),
      });
      io.stderr.write(`rated ${summary.rated} rows, rejected ${summary.rejected}, total cost ${summary.totalCost}\n`);
      return summary.rejected > 0 ? 1 : 0;
    } catch (error) {
      if (outputOpened && outputPath !== undefined) await rm(outputPath, { force: true });
      if (error instanceof CdrFileError) return fail(`${inputPath}: ${error.message}`);
      if ((error as NodeJS.ErrnoException).code !== undefined) return fail(`${inputPath}: ${(error as Error).message}`);
      throw error;
    }
  },
};
