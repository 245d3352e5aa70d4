import type { Knex } from 'knex';

// The operator's utilisation report reads its counts per holder from did_counts, and only two
// small sets of numbers (src/db/queries/reports.ts, operatorUtilisation):
// - the unexpired holds on unsold numbers: few at any time, found by their expiry;
// - the owned numbers, joined in number order with report_number_last_calls to count those with
//   a recent call: an index-only scan of the owned numbers (their id with the columns the report
//   filters on) instead of reading every product.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX products_unsold_hold_idx ON products (held_until) WHERE hold_id IS NOT NULL AND customer_id IS NULL');
  await knex.raw("CREATE INDEX products_owned_did_idx ON products (id) INCLUDE (country, provider_id) WHERE customer_id IS NOT NULL AND category = 'did' AND archived_at IS NULL");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS products_owned_did_idx');
  await knex.raw('DROP INDEX IF EXISTS products_unsold_hold_idx');
}
