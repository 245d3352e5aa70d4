// The CSV side of rating a CDR file: csv-parse handing records on in batches, and the writer of
// output lines. Kept apart from the rating so each can be read on its own.
import { Parser, type CsvError, type Options } from 'csv-parse';

const QUOTE_OR_BREAK = /["\r\n]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV line (`ending` appended, a line break by default), quoted as RFC 4180 asks: only fields
 * holding a comma, a quote or a line break. Written here rather than with csv-stringify, whose
 * per-record machinery cost more than rating itself (see bench/rating.ts). The common case is a
 * plain join: no quote or line break anywhere, and no comma beyond the separators.
 */
export function toCsvLine(fields: readonly string[], ending = '\n'): string {
  const plain = fields.join(',');
  if (!QUOTE_OR_BREAK.test(plain) && countCommas(plain) === fields.length - 1) return plain + ending;
  let line = '';
  for (let k = 0; k < fields.length; k += 1) {
    const field = fields[k]!;
    if (k > 0) line += ',';
    line += NEEDS_QUOTES.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
  }
  return line + ending;
}

function countCommas(text: string): number {
  let count = 0;
  for (let at = text.indexOf(','); at !== -1; at = text.indexOf(',', at + 1)) count += 1;
  return count;
}

/** Records in input order with their line numbers; a string in place of a record is a CSV error. */
export interface RecordBatch {
  records: (string[] | string)[];
  lines: number[];
  /** Whether the input had shown a quote character by the time the last record was parsed. */
  quoted: boolean;
}

const BATCH_SIZE = 256;
const QUOTE = 0x22;

/**
 * csv-parse's parser, handing records on in batches with the line number of each. `info.lines`
 * is exact when a record is pushed, and far cheaper to read than the `on_record`/`info` options,
 * which copy the whole info object for every record; batches save a stream hop per record.
 */
export class BatchingParser extends Parser {
  private batch: RecordBatch = { records: [], lines: [], quoted: false };
  private quoteSeen = false;

  constructor(options: Options) {
    super(options);
  }

  override _transform(chunk: Buffer | string, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.quoteSeen && (typeof chunk === 'string' ? chunk.includes('"') : chunk.includes(QUOTE))) this.quoteSeen = true;
    super._transform(chunk, encoding, done);
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) {
      if (this.batch.records.length > 0) super.push(this.batch);
      return super.push(null, encoding);
    }
    return this.add(chunk as string[], this.info.lines);
  }

  addSkipped(line: number, reason: string): void {
    this.add(reason, line);
  }

  private add(record: string[] | string, line: number): boolean {
    this.batch.records.push(record);
    this.batch.lines.push(line);
    if (this.quoteSeen) this.batch.quoted = true;
    if (this.batch.records.length < BATCH_SIZE) return true;
    const full = this.batch;
    this.batch = { records: [], lines: [], quoted: false };
    return super.push(full);
  }
}

/** The input line csv-parse's error is about (0 when it does not say). */
export function lineOf(error: CsvError): number {
  const lines = (error as unknown as { lines?: unknown }).lines;
  return typeof lines === 'number' ? lines : 0;
}
