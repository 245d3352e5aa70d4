import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, csvColumns, csvWriter, readCsvCell } from '../../src/domain/csv-cell.ts';

describe('one CSV cell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', 'text', `'=HYPERLINK("http://evil.example","x")`],
    ['+cmd|\' /C calc\'!A0', 'text', `'+cmd|' /C calc'!A0`],
    ['-2+3', 'text', `'-2+3`],
    ['@SUM(1+1)', 'text', `'@SUM(1+1)`],
    ['\t=1', 'text', `'\t=1`],
    ['\r=1', 'text', `'\r=1`],
    ['Atlas Carrier', 'text', 'Atlas Carrier'],
    ['a=b', 'text', 'a=b'],
    ['', 'text', ''],
    ['+14155550100', 'text', `'+14155550100`],
    ['-1.2300', 'number', '-1.2300'],
    ['+14155550100', 'number', '+14155550100'],
    ['42', 'number', '42'],
    ['-1.2300+1', 'number', `'-1.2300+1`],
    ['=1+1', 'number', `'=1+1`],
    ['-', 'number', `'-`],
  ] as const)('when the cell is %j in a %s column, then it is written %j', (value, kind, written) => {
    expect(csvCell(value, kind)).toBe(written);
  });

  it.each([
    [`'=1+1`, '=1+1'],
    [`'@x`, '@x'],
    [`'plain`, `'plain`],
    ['=1', '=1'],
  ])('when %j is read back, then it is %j', (cell, value) => {
    expect(readCsvCell(cell)).toBe(value);
  });
});

describe('the CSV writer', () => {
  it('when records are written, then text cells are neutralised, numbers kept, the header as given', async () => {
    const writer = csvWriter(csvColumns(['name', 'amount', 'count'], ['amount', 'count']));
    const chunks: string[] = [];
    writer.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const done = new Promise((resolve) => writer.on('end', resolve));
    writer.write(['=cmd', '-1.2300', -3]);
    writer.write(['-Bob', '=1', 7]);
    writer.end();
    await done;
    expect(parse(chunks.join(''))).toEqual([
      ['name', 'amount', 'count'],
      [`'=cmd`, '-1.2300', '-3'],
      [`'-Bob`, `'=1`, '7'],
    ]);
  });
});
