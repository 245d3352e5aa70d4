import type { Knex } from 'knex';
import { createSqlFunctions, type SqlFunctionName } from '../src/db/sql/index.ts';

// The operator's utilisation report reads its counts per holder from did_counts, and only two
// small sets of numbers (src/db/queries/reports.ts, operatorUtilisation):
// - the unexpired holds on unsold numbers: few at any time, found by their expiry;
// - the owned numbers, joined in number order with report_number_last_calls to count those with
//   a recent call: an index-only scan of the owned numbers (their id with the columns the report
//   filters on) instead of reading every product, and the last call days from the primary key's
//   index (the day included), so neither side reads its table. A number's row is now rewritten
//   only when its last call day moves on (add_report_rows), not at every batch of its calls.
const FUNCTIONS: SqlFunctionName[] = ['add_report_rows'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE report_number_last_calls DROP CONSTRAINT report_number_last_calls_pkey, ADD PRIMARY KEY (product_id) INCLUDE (last_call_day)');
  await createSqlFunctions(knex, FUNCTIONS);
  await knex.raw('CREATE INDEX products_unsold_hold_idx ON products (held_until) WHERE hold_id IS NOT NULL AND customer_id IS NULL');
  await knex.raw("CREATE INDEX products_owned_did_idx ON products (id) INCLUDE (country, provider_id) WHERE customer_id IS NOT NULL AND category = 'did' AND archived_at IS NULL");
}

// add_report_rows stays as it is: it keeps the same days as before, writing less.
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS products_owned_did_idx');
  await knex.raw('DROP INDEX IF EXISTS products_unsold_hold_idx');
  await knex.raw('ALTER TABLE report_number_last_calls DROP CONSTRAINT report_number_last_calls_pkey, ADD PRIMARY KEY (product_id)');
}
