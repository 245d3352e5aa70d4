// Storing and charging a batch of rated CDRs in one statement (src/db/sql/charge_cdr_batch.sql). Rows go over as one bound array per column, not one parameter per value (which
// Postgres parses and plans several times slower), and are unpacked into the function's input
// before it takes any lock.
import type { Db } from '../knex.ts';

type ColumnType = 'text' | 'bigint' | 'int' | 'smallint' | 'numeric' | 'timestamptz' | 'jsonb';

export interface CdrCallRow {
  uuid: string;
  switch_id: number | null;
  source: 'freeswitch' | 'api';
  product_id: number | null;
  number: string;
  caller: string;
  owner_id: number | null;
  reseller_id: number | null;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  duration_seconds: number;
  billsec: number;
  hangup_cause: string | null;
  cost: string;
  billed_seconds: number;
}

export interface CdrChargeRow {
  call_uuid: string;
  account_id: number;
  level: number;
  role: string;
  /** JSON text. */
  terms: string;
  cost: string;
  billed_seconds: number;
  /** JSON text. */
  breakdown: string;
  /** The ledger row's description. */
  description: string;
}

const CALL_COLUMNS: Record<keyof CdrCallRow, ColumnType> = {
  uuid: 'text', switch_id: 'bigint', source: 'text', product_id: 'bigint', number: 'text', caller: 'text', owner_id: 'bigint',
  reseller_id: 'bigint', started_at: 'timestamptz', answered_at: 'timestamptz', ended_at: 'timestamptz', duration_seconds: 'int',
  billsec: 'int', hangup_cause: 'text', cost: 'numeric', billed_seconds: 'int',
};
const CHARGE_COLUMNS: Record<keyof CdrChargeRow, ColumnType> = {
  call_uuid: 'text', account_id: 'bigint', level: 'smallint', role: 'text', terms: 'jsonb', cost: 'numeric',
  billed_seconds: 'int', breakdown: 'jsonb', description: 'text',
};

function columnArrays<Row extends object>(columns: Record<keyof Row, ColumnType>, rows: Row[]): unknown[][] {
  return (Object.keys(columns) as Array<keyof Row>).map((name) =>
    rows.map((row) => {
      const value = row[name];
      return value instanceof Date ? value.toISOString() : (value ?? null);
    }),
  );
}

/** An array of `type`, built from one bound array per column (and the position, for `seq`). */
function rowsOf(type: string, columns: Record<string, ColumnType>, withOrdinality: boolean): string {
  const names = Object.keys(columns);
  const arrays = names.map((name) => `?::${columns[name]}[]`).join(', ');
  const fields = names.map((name) => `u.${name}`).join(', ');
  return withOrdinality
    ? `ARRAY(SELECT ROW(u.seq::integer, ${fields})::${type} FROM unnest(${arrays}) WITH ORDINALITY AS u(${names.join(', ')}, seq))`
    : `ARRAY(SELECT ROW(${fields})::${type} FROM unnest(${arrays}) AS u(${names.join(', ')}))`;
}

const STATEMENT = `SELECT call_id, call_uuid FROM charge_cdr_batch(
  ${rowsOf('cdr_call', CALL_COLUMNS, false)},
  ${rowsOf('cdr_charge', CHARGE_COLUMNS, true)},
  ?::text[], ?::timestamptz)`;

/**
 * Stores the calls not stored before and charges their levels, ends the slots of every call in
 * `endedCalls` and releases what they reserved; returns the id of each call stored now, by uuid
 * (the others were duplicates).
 */
export async function chargeCdrBatch(
  db: Db,
  calls: CdrCallRow[],
  charges: CdrChargeRow[],
  endedCalls: string[],
  now: Date,
): Promise<Map<string, number>> {
  const bindings = [...columnArrays(CALL_COLUMNS, calls), ...columnArrays(CHARGE_COLUMNS, charges), endedCalls, now.toISOString()];
  const result = (await db.raw(STATEMENT, bindings as never)) as { rows: Array<{ call_id: number | string; call_uuid: string }> };
  return new Map(result.rows.map((row) => [row.call_uuid, Number(row.call_id)]));
}
