// How every list's CSV export streams: rows read from the database a batch at a time (a keyset
// cursor: the batch after the last row's key, never OFFSET, so the millionth row costs what the
// first does), each row turned into a record and written through csvWriter (formula cells
// neutralised) with back pressure. No export holds its whole list in memory.
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csvColumns, csvWriter } from '../domain/csv-cell.ts';

export const EXPORT_BATCH = 1000;

/** A list's CSV: its header, which columns are numbers (kept as they are), and a row's record. */
export interface CsvTable<Row> {
  columns: readonly string[];
  numeric: readonly string[];
  record: (row: Row) => ReadonlyArray<string | number>;
}

/** Batches of rows: read from the database as they go (keysetBatches), or a few rows at hand ([rows]). */
export type CsvBatches<Row> = AsyncIterable<readonly Row[]> | Iterable<readonly Row[]>;

/** Batches from `read(after, limit)` until one comes back short; `keyOf` the last row gives the next cursor. */
export async function* keysetBatches<Row, Key>(
  read: (after: Key | undefined, limit: number) => Promise<Row[]>,
  keyOf: (row: Row) => Key,
  size = EXPORT_BATCH,
): AsyncGenerator<Row[]> {
  let after: Key | undefined;
  for (;;) {
    const rows = await read(after, size);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}

/**
 * Writes the batches as CSV into `out` and ends it; the number of rows written. A reader that goes
 * away (a closed browser tab) stops the reads: the pipeline ends the generator, which asks for no
 * further batch, and the early close is not an error of ours.
 */
export async function writeCsv<Row>(table: CsvTable<Row>, batches: CsvBatches<Row>, out: Writable): Promise<number> {
  let count = 0;
  async function* records() {
    for await (const rows of batches) {
      for (const row of rows) yield table.record(row);
      count += rows.length;
    }
  }
  try {
    await pipeline(Readable.from(records()), csvWriter(csvColumns(table.columns, table.numeric)), out);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  }
  return count;
}
