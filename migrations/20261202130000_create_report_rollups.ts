import type { Knex } from 'knex';
import { createSqlFunctions, type SqlFunctionName } from '../src/db/sql/index.ts';

// The reports (revenue and cost by day, month, reseller, provider, country, number; DID
// utilisation) read daily rollups instead of the calls and the ledger: at 10 million calls a scan
// per request cannot answer in half a second. Two grains, because a report groups either by
// number or by something coarser, and the coarse one is far smaller:
// - report_number_days: a day x an account charged x a number;
// - report_cube_days: a day x (tree, provider, country) at each level of detail (see below).
// Each row carries what the account was charged (calls and fees) and the dimensions the reports
// filter on, copied when the charge was made: the seller (the account's parent), whether the
// seller is the operator, the reseller whose tree it is, the provider and country of the number.
// (The coarse grain is a cube rather than one row per account: at 10,000 accounts, a row per
// account and day is nearly as many rows as calls.)
// The operator's cost is the provider's buy cost of a number, counted once per period the
// operator charges its buyer for it (recurring_fee rows sold by an admin).
//
// Consistency: statement-level triggers on call_charges and ledger_entries add to the rollups in
// the very transaction that charges (charge_cdr_batch, postLedgerEntry, postLedgerBatch), so the
// rollups never disagree with the source rows at a commit; `didhub reports rebuild` recomputes
// any range of days from the same views.
// No lock on a shared row: the triggers only INSERT new rows (compacted = false), because an
// upsert would make every charge of a day queue on that day's total row until its transaction
// commits (and could deadlock a multi-number order against a CDR batch). The reports sum whatever
// rows there are; a recurring job (compact_report_rollups) folds the new rows into one compacted
// row per key, in one statement, so the sums never change while it does.
const FUNCTIONS: SqlFunctionName[] = ['add_report_rows', 'add_call_report_rows', 'add_fee_report_rows', 'compact_report_rollups', 'rebuild_report_rollups'];

const MEASURES = (t: Knex.CreateTableBuilder) => {
  t.integer('calls').notNullable().defaultTo(0);
  t.bigInteger('billed_seconds').notNullable().defaultTo(0);
  t.decimal('call_amount', 20, 6).notNullable().defaultTo(0);
  t.decimal('fee_amount', 20, 6).notNullable().defaultTo(0);
  t.decimal('provider_cost', 20, 6).notNullable().defaultTo(0);
};

const DIMENSIONS = (t: Knex.CreateTableBuilder) => {
  t.bigInteger('seller_id').notNullable();
  t.boolean('operator_sale').notNullable();
  // The reseller whose tree the account is in (itself, or its parent); null: the operator's direct customer.
  t.bigInteger('reseller_id');
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_number_days', (t) => {
    t.date('day').notNullable();
    t.bigInteger('account_id').notNullable();
    t.bigInteger('product_id').notNullable();
    DIMENSIONS(t);
    // 0 and '' stand for a number with no provider or country, so they can be part of a key.
    t.bigInteger('provider_id').notNullable();
    t.text('country').notNullable();
    MEASURES(t);
    t.boolean('compacted').notNullable().defaultTo(false);
  });
  await knex.raw('CREATE UNIQUE INDEX report_number_days_key ON report_number_days (day, account_id, product_id) WHERE compacted');
  await knex.raw('CREATE INDEX report_number_days_new_idx ON report_number_days (day) WHERE NOT compacted');
  await knex.raw('CREATE INDEX report_number_days_seller_idx ON report_number_days (seller_id, day)');
  await knex.raw('CREATE INDEX report_number_days_account_idx ON report_number_days (account_id, day)');
  await knex.raw('CREATE INDEX report_number_days_operator_idx ON report_number_days (day) WHERE operator_sale');

  // The coarse grain as a cube: each charge is added at every level of detail a report may ask
  // for, a level being which of tree (1), provider (2) and country (4) it keeps; a dimension the
  // level drops holds -1 (tree, provider) or '*' (country). A report reads one level only: the
  // bits of its grouping and its filters. So "per day, all trees, all providers" reads one row a
  // day, whatever the number of accounts. Rows the operator sold (operator_sale) are at all eight
  // levels; a reseller's sales only at the levels that keep the tree (its reports always do).
  await knex.schema.createTable('report_cube_days', (t) => {
    t.date('day').notNullable();
    t.smallint('level').notNullable();
    t.boolean('operator_sale').notNullable();
    // The tree's reseller, 0 for the operator's direct customers, -1 at a level without trees.
    t.bigInteger('reseller_id').notNullable();
    t.bigInteger('provider_id').notNullable();
    t.text('country').notNullable();
    MEASURES(t);
    t.boolean('compacted').notNullable().defaultTo(false);
  });
  await knex.raw('CREATE UNIQUE INDEX report_cube_days_key ON report_cube_days (day, level, operator_sale, reseller_id, provider_id, country) WHERE compacted');
  await knex.raw('CREATE INDEX report_cube_days_new_idx ON report_cube_days (day) WHERE NOT compacted');
  // One index per dimension a report may group by, that dimension last before the day, so the
  // others (fixed by the level, or by a filter) are an equality prefix.
  await knex.raw('CREATE INDEX report_cube_days_by_country_idx ON report_cube_days (level, reseller_id, provider_id, country, day)');
  await knex.raw('CREATE INDEX report_cube_days_by_provider_idx ON report_cube_days (level, reseller_id, country, provider_id, day)');
  await knex.raw('CREATE INDEX report_cube_days_by_tree_idx ON report_cube_days (level, provider_id, country, reseller_id, day)');

  // The day of each number's last call, for "idle: no calls in 30 days" without reading calls.
  await knex.schema.createTable('report_number_last_calls', (t) => {
    t.bigInteger('product_id').primary();
    t.date('last_call_day').notNullable();
  });

  // The facts: one row per call charge and per fee posting, with its day (UTC) and dimensions.
  await knex.raw(`
    CREATE VIEW report_call_facts AS
    SELECT cc.call_id, cc.level, c.started_at, (c.started_at AT TIME ZONE 'UTC')::date AS day, cc.account_id, c.product_id,
           a.parent_id AS seller_id, (s.role = 'admin') AS operator_sale,
           CASE WHEN a.role = 'reseller' THEN a.id WHEN s.role = 'reseller' THEN s.id END AS reseller_id,
           coalesce(p.provider_id, 0) AS provider_id, coalesce(p.country, '') AS country,
           cc.billed_seconds, cc.cost AS amount
      FROM call_charges cc
      JOIN calls c ON c.id = cc.call_id
      JOIN products p ON p.id = c.product_id
      JOIN accounts a ON a.id = cc.account_id
      JOIN accounts s ON s.id = a.parent_id`);
  await knex.raw(`
    CREATE VIEW report_fee_facts AS
    SELECT l.id AS ledger_entry_id, l.created_at, (l.created_at AT TIME ZONE 'UTC')::date AS day, l.account_id, sub.product_id,
           a.parent_id AS seller_id, (s.role = 'admin') AS operator_sale,
           CASE WHEN a.role = 'reseller' THEN a.id WHEN s.role = 'reseller' THEN s.id END AS reseller_id,
           coalesce(p.provider_id, 0) AS provider_id, coalesce(p.country, '') AS country,
           -l.amount AS amount,
           CASE WHEN s.role = 'admin' AND l.kind = 'recurring_fee' THEN p.buy_cost ELSE 0 END AS provider_cost
      FROM ledger_entries l
      JOIN subscriptions sub ON sub.id = l.reference_id
      JOIN products p ON p.id = sub.product_id
      JOIN accounts a ON a.id = l.account_id
      JOIN accounts s ON s.id = a.parent_id
     WHERE l.reference_type = 'subscription' AND l.kind IN ('setup_fee', 'recurring_fee', 'refund')`);

  // Charges grouped per day, account and number: what the triggers hand to add_report_rows.
  await knex.raw(`
    CREATE TYPE report_row AS (
      day date, account_id bigint, product_id bigint, seller_id bigint, operator_sale boolean, reseller_id bigint, provider_id bigint,
      country text, calls integer, billed_seconds bigint, call_amount numeric, fee_amount numeric, provider_cost numeric)`);
  await createSqlFunctions(knex, FUNCTIONS);
  await knex.raw(`
    CREATE TRIGGER call_charges_report_rows AFTER INSERT ON call_charges
      REFERENCING NEW TABLE AS new_charges FOR EACH STATEMENT EXECUTE FUNCTION add_call_report_rows()`);
  await knex.raw(`
    CREATE TRIGGER ledger_entries_report_rows AFTER INSERT ON ledger_entries
      REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION add_fee_report_rows()`);

  // The charges made before this migration.
  await knex.raw('SELECT rebuild_report_rollups(NULL, NULL)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS ledger_entries_report_rows ON ledger_entries');
  await knex.raw('DROP TRIGGER IF EXISTS call_charges_report_rows ON call_charges');
  await knex.raw('DROP FUNCTION IF EXISTS rebuild_report_rollups(date, date)');
  await knex.raw('DROP FUNCTION IF EXISTS compact_report_rollups()');
  await knex.raw('DROP FUNCTION IF EXISTS add_fee_report_rows()');
  await knex.raw('DROP FUNCTION IF EXISTS add_call_report_rows()');
  await knex.raw('DROP FUNCTION IF EXISTS add_report_rows(report_row[])');
  await knex.raw('DROP TYPE IF EXISTS report_row');
  await knex.raw('DROP VIEW IF EXISTS report_fee_facts');
  await knex.raw('DROP VIEW IF EXISTS report_call_facts');
  await knex.schema.dropTable('report_number_last_calls');
  await knex.schema.dropTable('report_cube_days');
  await knex.schema.dropTable('report_number_days');
}
