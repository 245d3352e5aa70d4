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
const FUNCTIONS: SqlFunctionName[] = ['add_report_rows', 'add_call_report_rows', 'add_fee_report_rows'];

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
  await knex.raw(FIRST_COMPACT_REPORT_ROLLUPS);
  await knex.raw(FIRST_REBUILD_REPORT_ROLLUPS);
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

// compact_report_rollups and rebuild_report_rollups as this migration made them (the current ones
// are in src/db/sql; 20261202160000 changed them and its down restores these).
export const FIRST_COMPACT_REPORT_ROLLUPS = String.raw`-- Folds the rollups' new rows (written by the charging transactions, compacted = false) into one
-- compacted row per key: each table in one statement that deletes the new rows it sees and adds
-- their sums to the compacted rows, so a report reads the same sums before and after. Rows a
-- charge writes meanwhile stay new until the next run. Run by a recurring job in each app process
-- (two runs at once are safe: a row deleted by one is skipped by the other). Returns the new rows folded.
CREATE OR REPLACE FUNCTION compact_report_rollups() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  by_number bigint;
  cube bigint;
BEGIN
  WITH moved AS (
    DELETE FROM report_number_days WHERE NOT compacted RETURNING *
  ), folded AS (
    INSERT INTO report_number_days AS r (day, account_id, product_id, seller_id, operator_sale, reseller_id, provider_id, country,
                                         calls, billed_seconds, call_amount, fee_amount, provider_cost, compacted)
    SELECT m.day, m.account_id, m.product_id, min(m.seller_id), bool_or(m.operator_sale), min(m.reseller_id), min(m.provider_id), min(m.country),
           sum(m.calls), sum(m.billed_seconds), sum(m.call_amount), sum(m.fee_amount), sum(m.provider_cost), true
      FROM moved m GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, account_id, product_id) WHERE compacted DO UPDATE
       SET calls = r.calls + excluded.calls, billed_seconds = r.billed_seconds + excluded.billed_seconds,
           call_amount = r.call_amount + excluded.call_amount, fee_amount = r.fee_amount + excluded.fee_amount,
           provider_cost = r.provider_cost + excluded.provider_cost
  )
  SELECT count(*) INTO by_number FROM moved;

  WITH moved AS (
    DELETE FROM report_cube_days WHERE NOT compacted RETURNING *
  ), folded AS (
    INSERT INTO report_cube_days AS r (day, level, operator_sale, reseller_id, provider_id, country,
                                       calls, billed_seconds, call_amount, fee_amount, provider_cost, compacted)
    SELECT m.day, m.level, m.operator_sale, m.reseller_id, m.provider_id, m.country,
           sum(m.calls), sum(m.billed_seconds), sum(m.call_amount), sum(m.fee_amount), sum(m.provider_cost), true
      FROM moved m GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, level, operator_sale, reseller_id, provider_id, country) WHERE compacted DO UPDATE
       SET calls = r.calls + excluded.calls, billed_seconds = r.billed_seconds + excluded.billed_seconds,
           call_amount = r.call_amount + excluded.call_amount, fee_amount = r.fee_amount + excluded.fee_amount,
           provider_cost = r.provider_cost + excluded.provider_cost
  )
  SELECT count(*) INTO cube FROM moved;
  RETURN by_number + cube;
END
$$;
`;
export const FIRST_REBUILD_REPORT_ROLLUPS = String.raw`-- Recomputes the report rollups of the days from p_from to p_to (both included; null: no bound)
-- from the source rows (call_charges and ledger_entries, through the same views the triggers
-- read), after an upgrade or to check them. Locks the rollup tables for its transaction, so no
-- charge adds to a day while it is being recomputed (charges wait for its commit). The rows it
-- writes are compacted. Returns the rows written to report_number_days. The cube's levels are those of add_report_rows.
CREATE OR REPLACE FUNCTION rebuild_report_rollups(p_from date, p_to date) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
  low timestamptz := coalesce(p_from::timestamp AT TIME ZONE 'UTC', '-infinity');
  high timestamptz := coalesce((p_to + 1)::timestamp AT TIME ZONE 'UTC', 'infinity');
BEGIN
  LOCK TABLE report_number_days, report_cube_days, report_number_last_calls IN EXCLUSIVE MODE;
  DELETE FROM report_number_days WHERE day >= coalesce(p_from, '-infinity') AND day <= coalesce(p_to, 'infinity');
  DELETE FROM report_cube_days WHERE day >= coalesce(p_from, '-infinity') AND day <= coalesce(p_to, 'infinity');

  CREATE TEMP TABLE report_rebuild_rows ON COMMIT DROP AS
  SELECT x.day, x.account_id, x.product_id, min(x.seller_id) AS seller_id, bool_or(x.operator_sale) AS operator_sale,
         min(x.reseller_id) AS reseller_id, min(x.provider_id) AS provider_id, min(x.country) AS country,
         sum(x.calls)::int AS calls, sum(x.billed_seconds)::bigint AS billed_seconds, sum(x.call_amount) AS call_amount,
         sum(x.fee_amount) AS fee_amount, sum(x.provider_cost) AS provider_cost
    FROM (
      SELECT f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
             1 AS calls, f.billed_seconds, f.amount AS call_amount, 0 AS fee_amount, 0 AS provider_cost
        FROM report_call_facts f WHERE f.started_at >= low AND f.started_at < high
      UNION ALL
      SELECT f.day, f.account_id, f.product_id, f.seller_id, f.operator_sale, f.reseller_id, f.provider_id, f.country,
             0, 0, 0, f.amount, f.provider_cost
        FROM report_fee_facts f WHERE f.created_at >= low AND f.created_at < high
    ) x
   GROUP BY 1, 2, 3;

  INSERT INTO report_number_days (day, account_id, product_id, seller_id, operator_sale, reseller_id, provider_id, country,
                                  calls, billed_seconds, call_amount, fee_amount, provider_cost, compacted)
  SELECT *, true FROM report_rebuild_rows;
  GET DIAGNOSTICS written = ROW_COUNT;

  -- The cube's finest level first (far fewer rows than per number), then its eight levels from it.
  CREATE TEMP TABLE report_rebuild_cube ON COMMIT DROP AS
  SELECT g.day, g.operator_sale, coalesce(g.reseller_id, 0) AS reseller_id, g.provider_id, g.country,
         sum(g.calls) AS calls, sum(g.billed_seconds) AS billed_seconds, sum(g.call_amount) AS call_amount,
         sum(g.fee_amount) AS fee_amount, sum(g.provider_cost) AS provider_cost
    FROM report_rebuild_rows g GROUP BY 1, 2, 3, 4, 5;

  INSERT INTO report_cube_days (day, level, operator_sale, reseller_id, provider_id, country,
                                calls, billed_seconds, call_amount, fee_amount, provider_cost, compacted)
  SELECT g.day, l.level::smallint, g.operator_sale,
         CASE WHEN l.level & 1 = 1 THEN g.reseller_id ELSE -1 END,
         CASE WHEN l.level & 2 = 2 THEN g.provider_id ELSE -1 END,
         CASE WHEN l.level & 4 = 4 THEN g.country ELSE '*' END,
         sum(g.calls), sum(g.billed_seconds), sum(g.call_amount), sum(g.fee_amount), sum(g.provider_cost), true
    FROM report_rebuild_cube g CROSS JOIN generate_series(0, 7) l(level)
   WHERE g.operator_sale OR l.level & 1 = 1
   GROUP BY 1, 2, 3, 4, 5, 6;

  INSERT INTO report_number_last_calls AS l (product_id, last_call_day)
  SELECT g.product_id, max(g.day) FROM report_rebuild_rows g WHERE g.calls > 0 GROUP BY 1
  ON CONFLICT (product_id) DO UPDATE SET last_call_day = greatest(l.last_call_day, excluded.last_call_day);

  DROP TABLE report_rebuild_cube;
  DROP TABLE report_rebuild_rows;
  RETURN written;
END
$$;
`;
