// Renewal throughput: `npm run bench:billing [-- --runners=N --subscriptions=N]`.
// Creates (or re-creates) its own database on real Postgres (BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/didhub_bench_billing), bulk-inserts 100,000 due
// subscriptions (customers' and resellers', 5 % of owners short of funds), times one billing run,
// then checks the outcome: each due subscription charged once or suspended, every balance equal
// to its ledger, and a second pass that charges nothing.
import type { Knex } from 'knex';
import { createDb } from '../src/db/knex.ts';
import { migrateLatest } from '../src/db/open.ts';
import { runBilling, type BillingRunSummary } from '../src/services/renewals.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const SUBSCRIPTIONS = option('subscriptions', 100_000);
const RUNNERS = option('runners', 1);
const BATCH = option('batch', 500);
const url = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/didhub_bench_billing';
const NOW = new Date('2027-06-01T00:00:00Z');

async function recreateDatabase(target: string): Promise<void> {
  const name = new URL(target).pathname.slice(1).replace(/"/g, '');
  const server = new URL(target);
  server.pathname = '/postgres';
  const admin = createDb({ databaseUrl: server.toString(), poolMax: 1 });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.destroy();
  }
}

async function seed(db: Knex): Promise<{ expectedRenewals: number }> {
  const resellerSubscriptions = Math.floor(SUBSCRIPTIONS / 5);
  const customerSubscriptions = SUBSCRIPTIONS - resellerSubscriptions;
  await db.raw("INSERT INTO accounts (role, parent_id, name, email, password_hash) VALUES ('admin', NULL, 'Bench Admin', 'bench-admin@example.com', 'x')");
  const adminId = ((await db('accounts').where({ role: 'admin' }).first('id')) as { id: number }).id;
  // 100 resellers, 5,000 customers (half of them a reseller's), each with about 20 subscriptions.
  // Every 20th account has funds for only part of its renewals.
  await db.raw(
    `INSERT INTO accounts (role, parent_id, name, email, password_hash, balance)
     SELECT 'reseller', ?, 'Reseller ' || g, 'reseller-' || g || '@bench.example', 'x', CASE WHEN g % 20 = 0 THEN 50 ELSE 100000 END
     FROM generate_series(1, 100) AS g`,
    [adminId],
  );
  await db.raw(
    `INSERT INTO accounts (role, parent_id, name, email, password_hash, balance)
     SELECT 'customer', CASE WHEN g % 2 = 0 THEN ? ELSE (SELECT min(id) FROM accounts WHERE role = 'reseller') + (g % 100) END,
       'Customer ' || g, 'customer-' || g || '@bench.example', 'x', CASE WHEN g % 20 = 0 THEN 25 ELSE 10000 END
     FROM generate_series(1, 5000) AS g`,
    [adminId],
  );
  await db.raw(`
    INSERT INTO ledger_entries (account_id, amount, balance_after, kind, description, idempotency_key, created_at)
    SELECT id, balance, balance, 'payment', 'Opening payment', 'bench-open:' || id, now() FROM accounts WHERE role <> 'admin'`);
  const resellers = (await db('accounts').where({ role: 'reseller' }).orderBy('id').pluck('id')) as number[];
  const customers = (await db('accounts').where({ role: 'customer' }).orderBy('id').select('id', 'parent_id')) as Array<{ id: number; parent_id: number }>;

  // Resellers' numbers, unassigned; customers' numbers, each with the holder its subscription says.
  await db.raw(
    `INSERT INTO products (category, number, country, status, monthly_fee, billing_type, billing_days, reseller_id)
     SELECT 'did', '+1212' || lpad(g::text, 7, '0'), 'US', 'active', 2.50, 'recurring', 30, (?::bigint[])[1 + g % ?]
     FROM generate_series(1, ?) AS g`,
    [resellers, resellers.length, resellerSubscriptions],
  );
  await db.raw(
    `INSERT INTO products (category, number, country, status, monthly_fee, billing_type, billing_days, customer_id, reseller_id)
     SELECT 'did', '+1646' || lpad(g::text, 7, '0'), 'US', 'active', 1.25, 'recurring', 30, c.id,
       CASE WHEN c.parent_id = ? THEN NULL ELSE c.parent_id END
     FROM generate_series(1, ?) AS g
     JOIN (SELECT id, parent_id, row_number() OVER (ORDER BY id) - 1 AS n FROM accounts WHERE role = 'customer') c ON c.n = g % ?`,
    [adminId, customerSubscriptions, customers.length],
  );
  // Due at different times over the last day, so the run walks them in date order.
  await db.raw(
    `INSERT INTO subscriptions (product_id, account_id, seller_id, status, billing_type, billing_days, setup_fee, price, started_at, next_billing_at)
     SELECT p.id, coalesce(p.customer_id, p.reseller_id),
       CASE WHEN p.customer_id IS NULL THEN ? ELSE coalesce(p.reseller_id, ?) END,
       'active', 'recurring', 30, 0, p.monthly_fee,
       ?::timestamptz - interval '30 days' - (p.id % 1440) * interval '1 minute',
       ?::timestamptz - (p.id % 1440) * interval '1 minute'
     FROM products p`,
    [adminId, adminId, NOW, NOW],
  );
  await db.raw('ANALYZE');
  const affordable = (await db.raw(`
    SELECT coalesce(sum(least(n, floor(a.balance / price))), 0)::int AS renewals
    FROM (SELECT account_id, count(*) AS n, max(price) AS price FROM subscriptions GROUP BY account_id) s JOIN accounts a ON a.id = s.account_id`)) as { rows: Array<{ renewals: number }> };
  return { expectedRenewals: affordable.rows[0]!.renewals };
}

async function timedRun(db: Knex): Promise<{ summaries: BillingRunSummary[]; seconds: number }> {
  const pools = Array.from({ length: RUNNERS }, () => createDb({ databaseUrl: url, poolMax: 2 }));
  try {
    const started = performance.now();
    const summaries = await Promise.all(pools.map((pool) => runBilling(pool, { now: NOW, trigger: 'command', graceDays: 7, batchSize: BATCH })));
    return { summaries, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all(pools.map((pool) => pool.destroy()));
    void db;
  }
}

async function main(): Promise<void> {
  console.log(`bench:billing on ${new URL(url).host}${new URL(url).pathname}: ${SUBSCRIPTIONS.toLocaleString('en-US')} due subscriptions, ${RUNNERS} runner(s), batches of ${BATCH}`);
  await recreateDatabase(url);
  const db = createDb({ databaseUrl: url, poolMax: 2 });
  try {
    await migrateLatest(db);
    const seeding = performance.now();
    const { expectedRenewals } = await seed(db);
    console.log(`seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s (${expectedRenewals.toLocaleString('en-US')} renewals affordable)`);

    const first = await timedRun(db);
    const renewed = first.summaries.reduce((total, s) => total + s.renewed, 0);
    const suspended = first.summaries.reduce((total, s) => total + s.suspended, 0);
    console.log(`run: ${renewed.toLocaleString('en-US')} renewed, ${suspended.toLocaleString('en-US')} suspended in ${first.seconds.toFixed(2)} s`
      + ` = ${Math.round(renewed / first.seconds).toLocaleString('en-US')} renewals/s (${Math.round((renewed + suspended) / first.seconds).toLocaleString('en-US')} subscriptions/s)`);

    const second = await timedRun(db);
    const again = second.summaries.reduce((total, s) => total + s.renewed, 0);
    console.log(`second pass: ${again} renewed in ${second.seconds.toFixed(2)} s`);

    const checks = (await db.raw(`
      SELECT
        (SELECT count(*) FROM ledger_entries WHERE idempotency_key LIKE 'renewal:%')::int AS charges,
        (SELECT count(*) FROM (SELECT reference_id FROM ledger_entries WHERE idempotency_key LIKE 'renewal:%' GROUP BY reference_id HAVING count(*) > 1) d)::int AS doubles,
        (SELECT count(*) FROM (SELECT a.id FROM accounts a LEFT JOIN ledger_entries l ON l.account_id = a.id GROUP BY a.id HAVING a.balance <> coalesce(sum(l.amount), 0)) m)::int AS mismatched,
        (SELECT count(*) FROM accounts WHERE balance < 0)::int AS overdrawn`)) as { rows: Array<{ charges: number; doubles: number; mismatched: number; overdrawn: number }> };
    const check = checks.rows[0]!;
    const ok = check.charges === expectedRenewals && renewed === expectedRenewals && check.doubles === 0 && check.mismatched === 0 && check.overdrawn === 0 && again === 0;
    console.log(`checks: ${check.charges} charges (expected ${expectedRenewals}), ${check.doubles} charged twice, ${check.mismatched} balances off their ledger, ${check.overdrawn} overdrawn: ${ok ? 'OK' : 'FAILED'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    await db.destroy();
  }
}

await main();
