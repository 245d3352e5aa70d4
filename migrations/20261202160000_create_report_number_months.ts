import type { Knex } from 'knex';
import { createSqlFunctions, type SqlFunctionName } from '../src/db/sql/index.ts';
import { FIRST_COMPACT_REPORT_ROLLUPS, FIRST_REBUILD_REPORT_ROLLUPS } from './20261202130000_create_report_rollups.ts';

// The operator's per-number report grouped every number-day row of its range (3.8 million for 30
// days at a million numbers: seconds). It now reads one calendar month (UTC) of
// report_number_months: what the operator sold per number and month, revenue and cost, with an
// index in revenue order, so the top 50 are an index walk.
// - Rows at two levels: the number's whole month (reseller_id -1, provider_id -1, country '*'),
//   walked when no filter is given; and its detail (the tree, 0 for direct customers; the
//   provider; the country, as report_number_days holds them), grouped per number when a filter
//   is given (a tree, a provider or a country is a small share of a month).
// - Written only by compact_report_rollups (and rebuild_report_rollups), never by a charge: one
//   writer, so the charging transactions never wait on a month row. They are the sums of the
//   compacted operator-sale rows of report_number_days; the report adds the rows not yet
//   compacted (the last minute's), so its figures are those of the day rows, exactly.
const FUNCTIONS: SqlFunctionName[] = ['compact_report_rollups', 'rebuild_report_rollups'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_number_months', (t) => {
    t.date('month').notNullable();
    t.bigInteger('product_id').notNullable();
    t.bigInteger('reseller_id').notNullable();
    t.bigInteger('provider_id').notNullable();
    t.text('country').notNullable();
    t.integer('calls').notNullable();
    t.bigInteger('billed_seconds').notNullable();
    t.decimal('revenue', 20, 6).notNullable();
    t.decimal('cost', 20, 6).notNullable();
    t.primary(['month', 'product_id', 'reseller_id', 'provider_id', 'country']);
  });
  await knex.raw('CREATE INDEX report_number_months_revenue_idx ON report_number_months (month, revenue DESC, product_id) WHERE reseller_id = -1');
  await knex.raw('CREATE INDEX report_number_months_reseller_idx ON report_number_months (month, reseller_id) WHERE reseller_id <> -1');
  await knex.raw('CREATE INDEX report_number_months_provider_idx ON report_number_months (month, provider_id) WHERE reseller_id <> -1');
  await knex.raw('CREATE INDEX report_number_months_country_idx ON report_number_months (month, country) WHERE reseller_id <> -1');
  await createSqlFunctions(knex, FUNCTIONS);
  // The months so far, from the compacted day rows (the new ones are read beside the table).
  await knex.raw(`
    INSERT INTO report_number_months (month, product_id, reseller_id, provider_id, country, calls, billed_seconds, revenue, cost)
    SELECT date_trunc('month', d.day)::date, d.product_id, x.reseller_id, x.provider_id, x.country,
           sum(d.calls), sum(d.billed_seconds), sum(d.call_amount + d.fee_amount), sum(d.provider_cost)
      FROM report_number_days d
     CROSS JOIN LATERAL (VALUES (-1::bigint, -1::bigint, '*'::text), (coalesce(d.reseller_id, 0), d.provider_id, d.country)) x(reseller_id, provider_id, country)
     WHERE d.compacted AND d.operator_sale
     GROUP BY 1, 2, 3, 4, 5`);
  await knex.raw('ANALYZE report_number_months');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(FIRST_COMPACT_REPORT_ROLLUPS);
  await knex.raw(FIRST_REBUILD_REPORT_ROLLUPS);
  await knex.schema.dropTable('report_number_months');
}
