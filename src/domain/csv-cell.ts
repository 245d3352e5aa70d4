// Every CSV didhub writes goes through here, so no cell can run as a spreadsheet formula (OWASP's
// CSV injection rule): a text cell that starts with = + - @, a tab or a carriage return gets a
// single quote in front, which spreadsheets show as text. Numeric columns (amounts, durations,
// counts, phone numbers in E.164) keep a value that is one plain number as it is, a negative
// amount included; anything else in them is text like any other cell.
import { stringify, type Stringifier } from 'csv-stringify';

export type CsvKind = 'text' | 'number';

export interface CsvColumn {
  name: string;
  kind: CsvKind;
}

const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number cannot call anything: digits, a sign, a point. "+14155550100" is one too. */
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

export function csvCell(value: string, kind: CsvKind = 'text'): string {
  if (kind === 'number' && PLAIN_NUMBER.test(value)) return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Undoes csvCell on a cell read back (an export imported again): the quote is ours, not the data's. */
export function readCsvCell(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

/** A csv-stringify stream with the header row, each string cell written through csvCell. */
export function csvWriter(columns: readonly CsvColumn[]): Stringifier {
  return stringify({
    header: true,
    columns: columns.map((column) => column.name),
    cast: {
      string: (value, context) => (context.header ? value : csvCell(value, columns[context.index]?.kind ?? 'text')),
    },
  });
}

/** Columns from names, each `text` unless listed in `numeric`. */
export function csvColumns(names: readonly string[], numeric: readonly string[]): CsvColumn[] {
  const numbers = new Set(numeric);
  return names.map((name) => ({ name, kind: numbers.has(name) ? 'number' : 'text' }));
}
