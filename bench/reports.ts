// npm run bench:reports: every report at 1,000,000 numbers and 10,000,000 calls, on real Postgres.
// Creates a database of its own (dropped at the end), migrates it, builds the data with
// generate_series: 10,200 accounts (200 resellers, 5,000 customers of theirs, 5,000 direct),
// 20 providers, 1,000,000 numbers in 10 countries (60 % owned by customers, 20 % reseller stock,
// 20 % operator stock), a subscription per holding with its setup and period fees in the ledger,
// and the calls over 90 days with a charge per level (call_charges). The rollups come from
// rebuild_report_rollups (the triggers are off during the bulk load, then the rebuild computes
// what they would have written: the same views), timed. Then each report runs BENCH_RUNS times
// (default 20) through loadReport, the pages' path, with varied ranges and filters, for the
// operator and for resellers; p50 / p95 per report are printed.
//
// Server: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres (only used to create and drop the bench database).
// Scale: BENCH_NUMBERS (default 1000000), BENCH_CALLS (default 10000000). BENCH_KEEP=1 keeps the
// database (its name is printed); BENCH_REUSE=<that name> times the reports on it again, unbuilt.
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { createDb } from '../src/db/knex.ts';
import { migrateLatest } from '../src/db/open.ts';
import type { ReportFilters, ReportScope } from '../src/db/queries/reports.ts';
import { createAccount } from '../src/services/accounts.ts';
import { loadReport, REPORT_NAMES, type ReportName } from '../src/services/reports.ts';

const NUMBERS = Number(process.env.BENCH_NUMBERS ?? 1_000_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const RESELLERS = 200;
const CUSTOMERS = 10_000;
const PROVIDERS = 20;
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'ES', 'CA', 'AU', 'IT', 'SE'];
const FIRST_DAY = '2026-09-01';
const DAYS = 90;
const NOW = new Date('2026-11-30T12:00:00Z');
const server = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const reuse = process.env.BENCH_REUSE;
const benchName = reuse && /^didhub_bench_reports_\d+$/.test(reuse) ? reuse : `didhub_bench_reports_${process.pid}`;

function databaseUrl(name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer<T>(fn: (db: Knex) => Promise<T>): Promise<T> {
  const db = createDb({ databaseUrl: databaseUrl('postgres'), poolMax: 1 });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  console.log(`  ${label.padEnd(52)} ${((performance.now() - started) / 1000).toFixed(1).padStart(7)} s`);
  return result;
}

/**
 * A bulk load with the triggers off (foreign keys and the report triggers: the rebuild then
 * computes what the triggers would have written, from the same views). The data is generated
 * consistent, and the database is the bench's own.
 */
async function bulk(db: Knex, sql: string, bindings: readonly unknown[] | Record<string, unknown> = []): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('SET LOCAL session_replication_role = replica');
    await trx.raw(sql, bindings as never);
  });
}

async function build(db: Knex): Promise<{ resellers: number[]; providers: number[] }> {
  const admin = await createAccount(db, { role: 'admin', parent_id: null, name: 'Bench Admin', email: 'bench-admin@example.com', password: 'bench-password-1' }, 4);
  await db.raw(`INSERT INTO accounts (role, parent_id, name, email, password_hash)
    SELECT 'reseller', ?, 'Reseller ' || g, 'reseller-' || g || '@example.com', 'x' FROM generate_series(1, ?) g`, [admin.id, RESELLERS]);
  const resellers = (await db('accounts').where({ role: 'reseller' }).orderBy('id').pluck('id')) as number[];
  // Even customers buy from a reseller, odd ones from the operator.
  await db.raw(`INSERT INTO accounts (role, parent_id, name, email, password_hash)
    SELECT 'customer', CASE WHEN g % 2 = 0 THEN (?::bigint[])[1 + g % ?] ELSE ? END, 'Customer ' || g, 'customer-' || g || '@example.com', 'x'
      FROM generate_series(1, ?) g`, [resellers, RESELLERS, admin.id, CUSTOMERS]);
  const customers = (await db('accounts').where({ role: 'customer' }).orderBy('id').select('id', 'parent_id')) as Array<{ id: number; parent_id: number }>;
  const parents = customers.map((c) => (c.parent_id === admin.id ? null : c.parent_id));
  await db.raw(`INSERT INTO providers (name) SELECT 'Carrier ' || g FROM generate_series(1, ?) g`, [PROVIDERS]);
  const providers = (await db('providers').orderBy('id').pluck('id')) as number[];


  // Numbers: id g; (g - 1) % 10 < 6 owned by a customer, 6..7 a reseller's stock, else the operator's.
  await step(`${NUMBERS.toLocaleString('en')} numbers`, () => bulk(db, `
    INSERT INTO products (id, category, number, provider_id, country, status, buy_cost, setup_fee, monthly_fee, billing_type, billing_days,
                          reseller_id, customer_id, destination_type, destination)
    SELECT g, 'did', '+1' || (2000000000 + g), (:providers::bigint[])[1 + g % :providerCount], (:countries::text[])[1 + (g / 7) % 10], 'active',
           0.40 + (g % 5) * 0.05, 1.00, 2.00 + (g % 3), 'recurring', 30,
           CASE WHEN (g - 1) % 10 < 6 THEN (:parents::bigint[])[1 + (g * 31) % :customerCount]
                WHEN (g - 1) % 10 < 8 THEN (:resellers::bigint[])[1 + g % :resellerCount] END,
           CASE WHEN (g - 1) % 10 < 6 THEN (:customers::bigint[])[1 + (g * 31) % :customerCount] END,
           'sip_uri', 'sip:pbx@example.com'
      FROM generate_series(1::bigint, :numbers::bigint) g`, {
    providers, providerCount: PROVIDERS, countries: COUNTRIES, parents, customers: customers.map((c) => c.id), customerCount: CUSTOMERS,
    resellers, resellerCount: RESELLERS, numbers: NUMBERS,
  }));
  await db.raw("SELECT setval('products_id_seq', (SELECT max(id) FROM products))");

  // Subscriptions: a reseller's from the operator, a customer's from its seller; each with a setup
  // and a period fee in the ledger on the day it started, and a second period 30 days on.
  await step('subscriptions and their fees', async () => {
    await bulk(db, `
      INSERT INTO subscriptions (product_id, account_id, seller_id, status, billing_type, billing_days, setup_fee, price, started_at, next_billing_at)
      SELECT p.id, h.account_id, h.seller_id, 'active', 'recurring', 30, 1.00, h.price,
             timestamptz '${FIRST_DAY}T00:00:00Z' + ((p.id * 7919) % (${DAYS} * 86400)) * interval '1 second',
             timestamptz '${FIRST_DAY}T00:00:00Z' + ((p.id * 7919) % (${DAYS} * 86400) + 60 * 86400) * interval '1 second'
        FROM products p
        JOIN LATERAL (
          SELECT p.reseller_id AS account_id, ?::bigint AS seller_id, p.monthly_fee AS price WHERE p.reseller_id IS NOT NULL
          UNION ALL SELECT p.customer_id, coalesce(p.reseller_id, ?), p.monthly_fee * 1.5 WHERE p.customer_id IS NOT NULL
        ) h ON true`, [admin.id, admin.id]);
    await bulk(db, `
      INSERT INTO ledger_entries (account_id, amount, balance_after, kind, description, reference_type, reference_id, idempotency_key, created_at)
      SELECT s.account_id, f.amount, 0, f.kind, 'bench', 'subscription', s.id, 'bench:' || f.kind || ':' || f.n || ':' || s.id, s.started_at + f.n * interval '30 days'
        FROM subscriptions s
        CROSS JOIN LATERAL (VALUES ('setup_fee', -s.setup_fee, 0), ('recurring_fee', -s.price, 0), ('recurring_fee', -s.price, 1)) f(kind, amount, n)
       WHERE s.started_at + f.n * interval '30 days' < timestamptz '${NOW.toISOString()}'`);
  });

  // Calls spread over the owned numbers and the 90 days; a reseller's customer's call is charged at both levels.
  await step(`${CALLS.toLocaleString('en')} calls`, async () => {
    for (const index of ['calls_uuid_unique', 'calls_started_idx', 'calls_owner_started_idx', 'calls_reseller_started_idx', 'calls_number_started_idx']) {
      await db.raw(`DROP INDEX IF EXISTS ${index}`);
    }
    const owned = Math.floor(NUMBERS / 10) * 6;
    await bulk(db, `
      INSERT INTO calls (uuid, source, product_id, number, caller, owner_id, reseller_id, started_at, duration_seconds, billsec, cost, billed_seconds, received_at)
      SELECT 'bench-' || g, 'freeswitch', p.id, p.number, '+15105550123', p.customer_id, p.reseller_id, t.at, b.billsec + 4, b.billsec,
             round(0.02 + b.billsec * 0.0002, 4), b.billsec, t.at
        FROM generate_series(1::bigint, ?::bigint) g
        CROSS JOIN LATERAL (SELECT ((g * 7919) % ?) AS k) x
        JOIN products p ON p.id = (x.k / 6) * 10 + x.k % 6 + 1
        CROSS JOIN LATERAL (SELECT (g * 13) % 600 AS billsec) b
        CROSS JOIN LATERAL (SELECT timestamptz '${FIRST_DAY}T00:00:00Z' + ((g * 104729) % (${DAYS} * 86400)) * interval '1 second' AS at) t`, [CALLS, owned]);
  });
  await step('call charges (one per level)', () => bulk(db, `
    INSERT INTO call_charges (call_id, account_id, level, role, terms, cost, billed_seconds, breakdown)
    SELECT c.id, c.owner_id, 0, 'customer', '{}'::jsonb, c.cost, c.billed_seconds, '{}'::jsonb FROM calls c
    UNION ALL
    SELECT c.id, c.reseller_id, 1, 'reseller', '{}'::jsonb, round(c.cost * 0.6, 4), c.billed_seconds, '{}'::jsonb FROM calls c WHERE c.reseller_id IS NOT NULL`));

  await step('ANALYZE (sources)', () => db.raw('ANALYZE'));
  await step('rebuild_report_rollups(NULL, NULL)', () => db.transaction(async (trx) => {
    await trx.raw("SET LOCAL work_mem = '256MB'");
    await trx.raw('SELECT rebuild_report_rollups(NULL, NULL)');
  }));
  await step('ANALYZE (rollups)', () => db.raw('ANALYZE report_number_days, report_cube_days, report_number_last_calls'));
  const sizes = (await db.raw(`SELECT (SELECT count(*) FROM report_number_days) AS by_number, (SELECT count(*) FROM report_cube_days) AS by_account`)) as { rows: Array<{ by_number: string; by_account: string }> };
  console.log(`  rollup rows: ${Number(sizes.rows[0]!.by_number).toLocaleString('en')} per number and day, ${Number(sizes.rows[0]!.by_account).toLocaleString('en')} in the cube (day x level x tree x provider x country)`);
  return { resellers, providers };
}

/** A deterministic spread of cases: ranges of 7, 30 and 90 days, with and without filters. */
function cases(run: number, scope: ReportScope, resellers: number[], providers: number[]): ReportFilters {
  const length = [7, 30, 90][run % 3]!;
  const last = new Date(Date.parse('2026-11-29T00:00:00Z') - (run % 4) * 86_400_000);
  const first = new Date(last.getTime() - (length - 1) * 86_400_000);
  const filters: ReportFilters = { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
  if (run % 5 === 1) filters.providerId = providers[run % providers.length];
  if (run % 5 === 2) filters.country = COUNTRIES[run % COUNTRIES.length];
  if (run % 5 === 3 && scope.kind === 'all') filters.resellerId = resellers[run % resellers.length];
  return filters;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(db: Knex, resellers: number[], providers: number[]): Promise<void> {
  console.log(`\n${'report'.padEnd(26)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}  (${RUNS} runs each)`);
  const scopes: Array<{ label: string; scope: (run: number) => ReportScope }> = [
    { label: 'operator', scope: () => ({ kind: 'all' }) },
    { label: 'reseller', scope: (run) => ({ kind: 'reseller', id: resellers[(run * 37) % resellers.length]! }) },
  ];
  for (const { label, scope } of scopes) {
    for (const name of REPORT_NAMES as readonly ReportName[]) {
      if (name === 'reseller' && label === 'reseller') continue;
      const times: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const s = scope(run);
        const filters = cases(run, s, resellers, providers);
        const page = name === 'number' ? { limit: 50, offset: (run % 3) * 50 } : { limit: 50, offset: 0 };
        const started = performance.now();
        await loadReport(db, s, name, filters, page, NOW);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      console.log(`${`${label}: ${name}`.padEnd(26)} ${percentile(times, 50).toFixed(0).padStart(8)} ${percentile(times, 95).toFixed(0).padStart(8)} ${times[times.length - 1]!.toFixed(0).padStart(8)}`);
    }
  }
}

async function main(): Promise<void> {
  console.log(`bench:reports: ${NUMBERS.toLocaleString('en')} numbers, ${CALLS.toLocaleString('en')} calls, database ${benchName}`);
  if (!reuse) await onServer((db) => db.raw(`CREATE DATABASE ${benchName}`));
  const db = createDb({ databaseUrl: databaseUrl(benchName), poolMax: 2 });
  try {
    await step('migrate', () => migrateLatest(db));
    const { resellers, providers } = reuse
      ? { resellers: (await db('accounts').where({ role: 'reseller' }).orderBy('id').pluck('id')) as number[], providers: (await db('providers').orderBy('id').pluck('id')) as number[] }
      : await build(db);
    await measure(db, resellers, providers);
  } finally {
    await db.destroy();
    if (!process.env.BENCH_KEEP && !reuse) await onServer((server) => server.raw(`DROP DATABASE IF EXISTS ${benchName}`));
  }
}

await main();
