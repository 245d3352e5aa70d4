// Rates a CSV of call detail records as a stream: csv-parse -> rating transform -> output, with
// backpressure end to end, so ten million rows take the memory of a few.
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { CsvError } from 'csv-parse';
import {
  CompiledRateTerms,
  RatingInputError,
  compileTerms,
  parseDecimals,
  parseDuration,
  rateCompiled,
  type RatingField,
} from '../domain/rating.ts';
import { BatchingParser, lineOf, toCsvLine, type RecordBatch } from './cdr-csv.ts';
import { CostTotal } from './cost-total.ts';

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
  /** MONEY_DECIMALS or the --decimals of the CLI: there is no default, so no rounding forgets it. */
  decimals: number;
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
export async function rateCdrStream(input: Readable, output: Writable, options: RateCdrOptions): Promise<CdrRatingSummary> {
  const decimals = parseDecimals(options.decimals);
  const onReject = options.onReject ?? (() => undefined);
  const total = new CostTotal(decimals);
  let rated = 0;
  let rejected = 0;
  let width = -1;
  let at = [0, 0, 0, 0, 0, 0];

  // Rows usually share their terms with the previous row, or with one of a few plans: compile each
  // set of terms once. The map is bounded so a file of ever-different terms cannot grow it.
  let lastTerms: string[] = [];
  let lastCompiled: CompiledRateTerms | RatingInputError | undefined;
  const seen = new Map<string, CompiledRateTerms | RatingInputError>();
  const termsOf = (c: string, g: string, p: string, i: string, n: string): CompiledRateTerms | RatingInputError => {
    if (lastCompiled !== undefined && lastTerms[0] === c && lastTerms[1] === g && lastTerms[2] === p && lastTerms[3] === i && lastTerms[4] === n) {
      return lastCompiled;
    }
    const key = `${c},${g},${p},${i},${n}`;
    let found = seen.get(key);
    if (found === undefined) {
      try {
        found = compileTerms({ connectionCost: c, graceSeconds: g, perMinute: p, initialIncrement: i, increment: n });
      } catch (error) {
        if (!(error instanceof RatingInputError)) throw error;
        found = error;
      }
      if (seen.size >= TERMS_CACHE_SIZE) seen.clear();
      seen.set(key, found);
    }
    lastTerms = [c, g, p, i, n];
    lastCompiled = found;
    return found;
  };

  const reject = (line: number, reason: string): null => {
    rejected += 1;
    onReject({ line, reason });
    return null;
  };

  /**
   * The output line for a record (the header gains the added columns), or null when rejected.
   * `plain`: the input so far held no quote character, so no field can hold a comma, a quote or a
   * line break and a join is the CSV line.
   */
  const rateRecord = (record: string[], line: number, plain: boolean): string | null => {
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
      return toCsvLine([...record, ...ADDED_CDR_COLUMNS]);
    }
    if (record.length !== width) return reject(line, `has ${record.length} fields, the header has ${width}`);
    const terms = termsOf(record[at[1]!]!, record[at[2]!]!, record[at[3]!]!, record[at[4]!]!, record[at[5]!]!);
    if (terms instanceof RatingInputError) return reject(line, reasonOf(terms));
    const billsec = record[at[0]!]!;
    let duration = plainSeconds(billsec);
    if (duration === undefined) {
      try {
        duration = parseDuration(billsec);
      } catch (error) {
        if (error instanceof RatingInputError) return reject(line, reasonOf(error));
        throw error;
      }
    }
    const { cost, billedSeconds } = rateCompiled(terms, duration, decimals);
    total.add(cost);
    rated += 1;
    const ending = `,${cost},${billedSeconds}\n`;
    return plain ? record.join(',') + ending : toCsvLine(record, ending);
  };

  // csv-parse's own errors (broken quoting) travel in the batches too, so every rejection is
  // reported in line order.
  const parser: BatchingParser = new BatchingParser({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (error !== undefined) parser.addSkipped(lineOf(error), error.message);
    },
  });
  let pending = '';
  const rater = new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 4,
    transform(batch: RecordBatch, _encoding, done) {
      const { records, lines, quoted } = batch;
      try {
        for (let k = 0; k < records.length; k += 1) {
          const record = records[k]!;
          const rated = typeof record === 'string' ? reject(lines[k]!, record) : rateRecord(record, lines[k]!, !quoted);
          if (rated !== null) pending += rated;
        }
      } catch (error) {
        done(error as Error);
        return;
      }
      if (pending.length >= OUTPUT_CHUNK) {
        this.push(pending);
        pending = '';
      }
      done();
    },
    flush(done) {
      if (pending !== '') this.push(pending);
      done();
    },
  });
  await pipeline(input, parser, rater, output, { end: options.endOutput ?? true });
  if (width < 0) throw new CdrFileError(`the input is empty: it needs a header with ${REQUIRED_CDR_COLUMNS.join(',')}`);
  return { rated, rejected, totalCost: total.toString() };
}

const TERMS_CACHE_SIZE = 4096;

/** Output is pushed in chunks of about this many characters rather than a line at a time. */
const OUTPUT_CHUNK = 64 * 1024;

/** The common case, digits only, without the regular expression; anything else goes to parseDuration. */
function plainSeconds(text: string): number | undefined {
  if (text.length === 0 || text.length > 9) return undefined;
  let seconds = 0;
  for (let k = 0; k < text.length; k += 1) {
    const digit = text.charCodeAt(k) - 48;
    if (digit < 0 || digit > 9) return undefined;
    seconds = seconds * 10 + digit;
  }
  return seconds;
}

function reasonOf(error: RatingInputError): string {
  return `${COLUMN_OF_FIELD[error.field] ?? error.field}: ${error.detail}`;
}
