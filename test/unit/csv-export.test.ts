// The one streaming path of the list exports (src/services/csv-export.ts): keyset batches, the
// CSV written through the formula-safe cell writer, and a reader that leaves early.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { keysetBatches, writeCsv, type CsvTable } from '../../src/services/csv-export.ts';

interface Row {
  id: number;
  name: string;
  amount: string;
}

const TABLE: CsvTable<Row> = { columns: ['id', 'name', 'amount'], numeric: ['id', 'amount'], record: (row) => [row.id, row.name, row.amount] };

function rowsUpTo(total: number): Row[] {
  return Array.from({ length: total }, (_, k) => ({ id: k + 1, name: `row ${k + 1}`, amount: '1.50' }));
}

/** A reader over `rows` by id, recording the cursors it was asked for. */
function reader(rows: Row[], cursors: Array<number | undefined>) {
  return async (after: number | undefined, limit: number) => {
    cursors.push(after);
    return rows.filter((row) => after === undefined || row.id > after).slice(0, limit);
  };
}

function sink(): { out: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('keysetBatches', () => {
  it.each([
    [0, 2, [undefined], []],
    [1, 2, [undefined], [[1]]],
    [4, 2, [undefined, 2, 4], [[1, 2], [3, 4]]],
    [5, 2, [undefined, 2, 4], [[1, 2], [3, 4], [5]]],
    [3, 10, [undefined], [[1, 2, 3]]],
  ])('when %s rows are read %s at a time, then the cursors are %j and the batches %j', async (total, size, cursors, batches) => {
    const asked: Array<number | undefined> = [];
    const seen: number[][] = [];
    for await (const batch of keysetBatches(reader(rowsUpTo(total), asked), (row) => row.id, size)) seen.push(batch.map((row) => row.id));
    expect(asked).toEqual(cursors);
    expect(seen).toEqual(batches);
  });
});

describe('writeCsv', () => {
  it('when rows are written, then the header comes first, a formula-like name is quoted, numbers stay numbers, and the count is returned', async () => {
    const { out, text } = sink();
    const rows = [{ id: 1, name: '=HYPERLINK("x")', amount: '-2.5000' }, { id: 2, name: 'plain', amount: '1.0000' }];
    const count = await writeCsv(TABLE, keysetBatches(reader(rows, []), (row) => row.id, 1), out);
    expect(count).toBe(2);
    expect(text()).toBe('id,name,amount\n1,"\'=HYPERLINK(""x"")",-2.5000\n2,plain,1.0000\n');
  });

  it('when the reader goes away after the first rows, then the export stops asking for batches and ends without an error', async () => {
    const asked: Array<number | undefined> = [];
    let written = 0;
    const out = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, done) {
        written += 1;
        if (written === 3) this.destroy();
        done();
      },
    });
    const count = await writeCsv(TABLE, keysetBatches(reader(rowsUpTo(100_000), asked), (row) => row.id, 100), out);
    expect(out.destroyed).toBe(true);
    expect(count).toBeLessThan(100_000);
    expect(asked.length).toBeLessThan(20);
  });
});
