// Rates a CSV of call detail records as a stream: csv-parse -> rating -> csv-stringify -> output,
// with backpressure end to end, so ten million rows take the memory of a few.
// The rating runs in csv-parse's `on_record` hook, which also hands over each record's line number.
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type CsvError } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { DEFAULT_DECIMALS } from '../domain/money.ts';
import {
  CompiledRateTerms,
  RatingInputError,
  compileTerms,
  parseDecimals,
  parseDuration,
  rateCompiled,
  type RatingField,
} from '../domain/rating.ts';

export const REQUIRED_CDR_COLUMNS = ['billsec', 'connection_cost', 'grace', 'per_minute', 'initial_increment', 'increment'] as const;
export const ADDED_CDR_COLUMNS = ['cost', 'billed_seconds'] as const;

const COLUMN_OF_FIELD: Partial<Record<RatingField, string>> = {
  duration: 'billsec',
  connectionCost: 'connection_cost',
  graceSeconds: 'grace',
  perMinute: 'per_minute',
  initialIncrement: 'initial_increment',
  increment: 'increment',
};

/** The file cannot be rated at all (a missing column, broken CSV): nothing more is written. */
export class CdrFileError extends Error {}

export interface RejectedCdr {
  /** Line of the input file (1 is the header); the last line of a record spanning several. */
  line: number;
  reason: string;
}

export interface CdrRatingSummary {
  rated: number;
  rejected: number;
  /** Sum of the rounded costs of the rated rows, `decimals` places. */
  totalCost: string;
}

export interface RateCdrOptions {
  decimals?: number;
  /** Called for each row that is not rated; such rows are left out of the output. */
  onReject?: (rejected: RejectedCdr) => void;
  /** End `output` when done (default true); false for process.stdout. */
  endOutput?: boolean;
}

/**
 * Reads CDRs from `input`, writes each rated row to `output` with `cost,billed_seconds` appended
 * (other columns unchanged, in order), and reports rows it cannot rate through `onReject` instead
 * of writing them. Rejects with CdrFileError, before any row is written, when a required column
 * is missing.
 */
export async function rateCdrStream(input: Readable, output: Writable, options: RateCdrOptions = {}): Promise<CdrRatingSummary> {
  const decimals = parseDecimals(options.decimals ?? DEFAULT_DECIMALS);
  const onReject = options.onReject ?? (() => undefined);
  const total = new CostTotal(decimals);
  let rated = 0;
  let rejected = 0;
  let width = -1;
  let at = [0, 0, 0, 0, 0, 0];

  // Consecutive rows usually share their terms: compile once, reuse while the strings are equal.
  let lastTerms: string[] = [];
  let lastCompiled: CompiledRateTerms | RatingInputError | undefined;
  const termsOf = (c: string, g: string, p: string, i: string, n: string): CompiledRateTerms | RatingInputError => {
    if (lastCompiled !== undefined && lastTerms[0] === c && lastTerms[1] === g && lastTerms[2] === p && lastTerms[3] === i && lastTerms[4] === n) {
      return lastCompiled;
    }
    try {
      lastCompiled = compileTerms({ connectionCost: c, graceSeconds: g, perMinute: p, initialIncrement: i, increment: n });
    } catch (error) {
      if (!(error instanceof RatingInputError)) throw error;
      lastCompiled = error;
    }
    lastTerms = [c, g, p, i, n];
    return lastCompiled;
  };

  const reject = (line: number, reason: string): null => {
    rejected += 1;
    onReject({ line, reason });
    return null;
  };

  const rateRecord = (record: string[], line: number): string[] | null => {
    if (width < 0) {
      const header = record.map((name) => name.trim());
      const missing = REQUIRED_CDR_COLUMNS.filter((name) => !header.includes(name));
      if (missing.length > 0) {
        throw new CdrFileError(`the header lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
      }
      const clash = ADDED_CDR_COLUMNS.filter((name) => header.includes(name));
      if (clash.length > 0) throw new CdrFileError(`the input already has the column${clash.length > 1 ? 's' : ''} ${clash.join(', ')} that rating adds`);
      width = record.length;
      at = REQUIRED_CDR_COLUMNS.map((name) => header.indexOf(name));
      record.push(...ADDED_CDR_COLUMNS);
      return record;
    }
    if (record.length !== width) return reject(line, `has ${record.length} fields, the header has ${width}`);
    const terms = termsOf(record[at[1]!]!, record[at[2]!]!, record[at[3]!]!, record[at[4]!]!, record[at[5]!]!);
    if (terms instanceof RatingInputError) return reject(line, reasonOf(terms));
    let duration: number;
    try {
      duration = parseDuration(record[at[0]!]!);
    } catch (error) {
      if (error instanceof RatingInputError) return reject(line, reasonOf(error));
      throw error;
    }
    const { cost, billedSeconds } = rateCompiled(terms, duration, decimals);
    total.add(cost);
    rated += 1;
    record.push(cost, String(billedSeconds));
    return record;
  };

  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (error !== undefined) reject(lineOf(error), error.message);
    },
    on_record: (record: string[], info) => rateRecord(record, info.lines),
  });
  await pipeline(input, parser, stringify(), output, { end: options.endOutput ?? true });
  if (width < 0) throw new CdrFileError(`the input is empty: it needs a header with ${REQUIRED_CDR_COLUMNS.join(',')}`);
  return { rated, rejected, totalCost: total.toString() };
}

function reasonOf(error: RatingInputError): string {
  return `${COLUMN_OF_FIELD[error.field] ?? error.field}: ${error.detail}`;
}

function lineOf(error: CsvError): number {
  const lines = (error as unknown as { lines?: unknown }).lines;
  return typeof lines === 'number' ? lines : 0;
}

/** Exact sum of rounded costs in units of 10^-decimals: numbers while safe, then BigInt. */
class CostTotal {
  private small = 0;
  private big = 0n;
  constructor(private readonly decimals: number) {}

  add(cost: string): void {
    const digits = this.decimals === 0 ? cost : cost.slice(0, -this.decimals - 1) + cost.slice(-this.decimals);
    if (digits.length > 15) {
      this.big += BigInt(digits);
      return;
    }
    this.small += Number(digits);
    if (this.small > 2 ** 52) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
  }

  toString(): string {
    const digits = (this.big + BigInt(this.small)).toString();
    if (this.decimals === 0) return digits;
    const padded = digits.padStart(this.decimals + 1, '0');
    return `${padded.slice(0, -this.decimals)}.${padded.slice(-this.decimals)}`;
  }
}
