// The database's functions, one file each (<name>.sql, one CREATE OR REPLACE FUNCTION). A
// migration that changes a function loads its file, so the current version lives here and can be
// read, diffed and reviewed like code; test/integration/sql-functions.test.ts checks that the
// migrated database runs exactly what the files say. Migrations written before this folder keep
// their own (older) bodies: history stays as it ran.
import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';

export const SQL_FUNCTIONS = [
  'call_billed_cost', 'call_cost', 'call_allowance', 'rate_terms_in_force', 'lock_call_reservations',
  'take_call_slots', 'release_call_slots', 'charge_cdr_batch',
  'add_report_rows', 'add_call_report_rows', 'add_fee_report_rows', 'compact_report_rollups', 'rebuild_report_rollups',
] as const;
export type SqlFunctionName = (typeof SQL_FUNCTIONS)[number];

export function sqlFunctionText(name: SqlFunctionName): string {
  return readFileSync(new URL(`./${name}.sql`, import.meta.url), 'utf8');
}

/** The function's body as Postgres keeps it (pg_proc.prosrc): the text between the $$ quotes. */
export function sqlFunctionBody(name: SqlFunctionName): string {
  const text = sqlFunctionText(name);
  const start = text.indexOf('$$');
  const end = text.lastIndexOf('$$');
  if (start < 0 || end <= start) throw new Error(`${name}.sql has no $$-quoted body`);
  return text.slice(start + 2, end);
}

export async function createSqlFunctions(knex: Knex, names: readonly SqlFunctionName[]): Promise<void> {
  // knex.raw would read every ? in the body as a binding.
  for (const name of names) await knex.raw(sqlFunctionText(name).replaceAll('?', '\\?'));
}
