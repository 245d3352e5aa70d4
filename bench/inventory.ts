// npm run bench:inventory: the admin's DID list at a million numbers, on real Postgres.
// Seeds 1,000,000 DIDs (generate_series, one statement), ANALYZEs, then times the list's real
// query path (listDidPage, what GET /admin/dids calls, and the page itself through the app) for
// typical filters, and prints p50 / p95. Then times a 100,000-row CSV import (preview + commit)
// and a streamed export of the whole list.
//
// Database: BENCH_DATABASE_URL, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/didhub_bench
// (created when missing). The products of that database are replaced. Options:
//   --keep      reuse the seeded million when it is there (faster reruns)
//   --runs=N    timed runs per scenario (default 40)
//   --only=list|import|export   run one part
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import request from 'supertest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/knex.ts';
import { migrateLatest } from '../src/db/open.ts';
import { createLogger } from '../src/logger.ts';
import { createAccount } from '../src/services/accounts.ts';
import { commitImport, previewImport, storeImport } from '../src/services/did-import.ts';
import { exportDids } from '../src/services/did-export.ts';
import { listDidPage, type DidListQuery } from '../src/services/inventory.ts';

const TOTAL = 1_000_000;
const IMPORT_ROWS = 100_000;
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const runs = Number(args.find((arg) => arg.startsWith('--runs='))?.split('=')[1] ?? 40);
const only = args.find((arg) => arg.startsWith('--only='))?.split('=')[1];
const part = (name: string) => only === undefined || only === name;
const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/didhub_bench';

async function ensureDatabase(target: string): Promise<void> {
  const name = new URL(target).pathname.slice(1);
  const server = new URL(target);
  server.pathname = '/postgres';
  const admin = createDb({ databaseUrl: server.toString(), poolMax: 1 });
  try {
    const found = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [name]);
    if (found.rows.length === 0) await admin.raw(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await admin.destroy();
  }
}

const COUNTRIES = [
  ['US', '1'], ['GB', '44'], ['DE', '49'], ['FR', '33'], ['NL', '31'], ['ES', '34'], ['CA', '1'], ['AU', '61'], ['IT', '39'], ['SE', '46'],
] as const;

async function seed(db: Knex): Promise<{ adminId: number; providerIds: number[] }> {
  const started = performance.now();
  await db.raw('TRUNCATE audit_log, ledger_entries, subscriptions, reseller_prices, did_imports, products, providers, did_counts RESTART IDENTITY CASCADE');
  await db.raw("DELETE FROM session");
  await db.raw('DELETE FROM accounts');
  const admin = await createAccount(db, { role: 'admin', parent_id: null, name: 'Bench Admin', email: 'bench-admin@example.com', password: 'bench-password-1' }, 4);
  await db.raw(`
    INSERT INTO accounts (role, parent_id, name, email, password_hash)
    SELECT CASE WHEN g <= 50 THEN 'reseller' ELSE 'customer' END, ?, 'Account ' || g, 'bench-' || g || '@example.com', 'x'
    FROM generate_series(1, 250) AS g`, [admin.id]);
  const accounts = (await db('accounts').whereNot('role', 'admin').orderBy('id').pluck('id')) as number[];
  const resellers = accounts.slice(0, 50);
  const customers = accounts.slice(50);
  await db.raw("INSERT INTO providers (name) SELECT 'Carrier ' || g FROM generate_series(1, 20) AS g");
  const providerIds = (await db('providers').orderBy('id').pluck('id')) as number[];
  const countryCase = COUNTRIES.map(([code], i) => `WHEN ${i} THEN '${code}'`).join(' ');
  const prefixCase = COUNTRIES.map(([, prefix], i) => `WHEN ${i} THEN '${prefix}'`).join(' ');
  // Deterministic spread: 500 cities (each in one province of one of 10 countries), two of 20
  // providers per city, 70 % in stock, 20 % with resellers, 10 % with customers, 5 % inactive,
  // 10 % one-time, 1 % archived; the dimensions vary independently of each other.
  await db.raw(
    `INSERT INTO products (category, number, provider_id, country, province, city, status, buy_cost, connection_cost, grace_seconds,
        cost_per_minute, initial_increment, increment, setup_fee, monthly_fee, call_timeout, billing_type, billing_days, concurrent_calls,
        reseller_id, customer_id, archived_at, created_at, updated_at)
     SELECT 'did',
       '+' || (CASE c % 10 ${prefixCase} END) || lpad(g::text, 9, '0'),
       (?::bigint[])[1 + (c * 3 + g % 2) % 20],
       CASE c % 10 ${countryCase} END,
       'Province ' || (c % 50),
       'City ' || c,
       CASE WHEN (g / 13) % 20 = 0 THEN 'inactive' ELSE 'active' END,
       round((g % 100) / 100.0 + 0.2, 2), (g % 3) / 100.0, (g % 4) * 5,
       round(0.005 + (g % 30) / 1000.0, 4), 60, CASE WHEN g % 2 = 0 THEN 6 ELSE 60 END,
       (g % 5), round(1 + (g % 400) / 100.0, 2), 30,
       CASE WHEN (g / 17) % 10 = 3 THEN 'one_time' ELSE 'recurring' END, CASE WHEN (g / 17) % 10 = 3 THEN 365 ELSE 30 END, g % 11,
       CASE WHEN (g / 7) % 10 IN (1, 2) THEN (?::bigint[])[1 + g % 50]
            WHEN (g / 7) % 10 = 5 AND g % 2 = 0 THEN (?::bigint[])[1 + g % 50] END,
       CASE WHEN (g / 7) % 10 = 5 THEN (?::bigint[])[1 + g % 200] END,
       CASE WHEN (g / 31) % 100 = 7 THEN now() END,
       now() - (g % 365) * interval '1 day', now()
     FROM generate_series(1, ?) AS g, LATERAL (SELECT ((g::bigint * 7919) % 500)::int AS c) AS city`,
    [providerIds, resellers, resellers, customers, TOTAL],
  );
  await db.raw('VACUUM ANALYZE products');
  await db.raw('VACUUM ANALYZE accounts');
  console.log(`Seeded ${TOTAL.toLocaleString('en-US')} DIDs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { adminId: admin.id, providerIds };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Scenario {
  name: string;
  query: Partial<DidListQuery['filters']> & { sort?: DidListQuery['sort']; direction?: 'asc' | 'desc'; page?: number };
  path: string;
}

function scenarios(providerId: number): Scenario[] {
  return [
    { name: 'no filter, by number', query: {}, path: '' },
    { name: 'country GB', query: { country: 'GB' }, path: 'country=GB' },
    { name: 'in stock', query: { holder: 'stock' }, path: 'holder=stock' },
    { name: 'owned by customers, US', query: { holder: 'customer', country: 'US' }, path: 'holder=customer&country=US' },
    { name: 'held by resellers', query: { holder: 'reseller' }, path: 'holder=reseller' },
    { name: 'provider', query: { providerId }, path: `provider=${providerId}` },
    { name: 'city', query: { city: 'City 17' }, path: 'city=City%2017' },
    { name: 'province + in stock', query: { province: 'Province 4', holder: 'stock' }, path: 'province=Province%204&holder=stock' },
    { name: 'inactive', query: { status: 'inactive' }, path: 'status=inactive' },
    { name: 'one time, DE', query: { billingType: 'one_time', country: 'DE' }, path: 'billing_type=one_time&country=DE' },
    { name: 'number contains 4412345', query: { q: '4412345' }, path: 'q=4412345' },
    { name: 'number contains 0000', query: { q: '0000' }, path: 'q=0000' },
    { name: 'by monthly fee desc', query: { sort: 'monthly_fee', direction: 'desc' }, path: 'sort=monthly_fee&dir=desc' },
    { name: 'by created desc, in stock', query: { sort: 'created', direction: 'desc', holder: 'stock' }, path: 'sort=created&dir=desc&holder=stock' },
    { name: 'by country, page 5', query: { sort: 'country', page: 5 }, path: 'sort=country&page=5' },
    { name: 'archived only', query: { archived: 'only' }, path: 'archived=only' },
  ];
}

/**
 * CPU seconds used so far by this process and by the Postgres backends of this database (read
 * from /proc, where the server is local): a figure the machine's other load does not inflate.
 */
async function cpuSeconds(db: Knex): Promise<{ node: number; postgres: number }> {
  const usage = process.cpuUsage();
  const pids = (await db.raw('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows as Array<{ pid: number }>;
  let ticks = 0;
  for (const { pid } of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Not local, or the backend is gone.
    }
  }
  return { node: (usage.user + usage.system) / 1e6, postgres: ticks / 100 };
}

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function main(): Promise<void> {
  await ensureDatabase(url);
  const db = createDb({ databaseUrl: url, poolMax: 4 });
  try {
    await migrateLatest(db);
    const count = Number((await db('products').count({ count: '*' }).first())!.count);
    const admin = await db('accounts').where({ email: 'bench-admin@example.com' }).first();
    let adminId: number;
    let providerIds: number[];
    if (keep && count >= TOTAL && admin) {
      adminId = admin.id;
      providerIds = (await db('providers').orderBy('id').pluck('id')) as number[];
      console.log(`Reusing ${count.toLocaleString('en-US')} DIDs in ${new URL(url).pathname.slice(1)}`);
    } else {
      ({ adminId, providerIds } = await seed(db));
    }

    // Production settings: compiled templates are cached, as on a real server.
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'bench-only-session-secret', LOG_LEVEL: 'silent', SEED_DEMO: 'false', BCRYPT_COST: '4', DATABASE_URL: url });
    const app = createApp({ db, config, logger: createLogger('error') });
    const agent = request.agent(app);
    const form = await agent.get('/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const login = await agent.post('/login').type('form').send({ email: 'bench-admin@example.com', password: 'bench-password-1', _csrf: token });
    if (login.status !== 302) throw new Error(`Bench login failed: ${login.status}`);

    if (part('list')) {
    console.log(`\nDID list at ${TOTAL.toLocaleString('en-US')} numbers: ${runs} timed runs per scenario after 3 warm-ups (ms)`);
    console.log(`${'scenario'.padEnd(34)} ${'total'.padStart(9)}  ${'service p50'.padStart(11)} ${'p95'.padStart(7)}  ${'page p50'.padStart(9)} ${'p95'.padStart(7)}`);
    const allService: number[] = [];
    const allPage: number[] = [];
    for (const scenario of scenarios(providerIds[2]!)) {
      const { sort = 'number', direction = 'asc', page = 1, ...filters } = scenario.query;
      const query: DidListQuery = { filters, sort, direction, page, perPage: 50 };
      let total = 0;
      for (let i = 0; i < 3; i += 1) total = (await listDidPage(db, query)).total;
      const service: number[] = [];
      const pageTimes: number[] = [];
      for (let i = 0; i < runs; i += 1) {
        service.push(await time(() => listDidPage(db, query)));
        pageTimes.push(await time(async () => {
          const response = await agent.get(`/admin/dids?${scenario.path}`);
          if (response.status !== 200) throw new Error(`${scenario.path}: ${response.status}`);
        }));
      }
      service.sort((a, b) => a - b);
      pageTimes.sort((a, b) => a - b);
      allService.push(...service);
      allPage.push(...pageTimes);
      console.log(
        `${scenario.name.padEnd(34)} ${total.toLocaleString('en-US').padStart(9)}  ${percentile(service, 50).toFixed(1).padStart(11)} ${percentile(service, 95).toFixed(1).padStart(7)}  ${percentile(pageTimes, 50).toFixed(1).padStart(9)} ${percentile(pageTimes, 95).toFixed(1).padStart(7)}`,
      );
    }
    allService.sort((a, b) => a - b);
    allPage.sort((a, b) => a - b);
    console.log(`${'all scenarios'.padEnd(34)} ${''.padStart(9)}  ${percentile(allService, 50).toFixed(1).padStart(11)} ${percentile(allService, 95).toFixed(1).padStart(7)}  ${percentile(allPage, 50).toFixed(1).padStart(9)} ${percentile(allPage, 95).toFixed(1).padStart(7)}`);

    }

    if (part('import')) {
    // A 100,000-row import of new London numbers, through the same services the page calls.
    const header = 'number,provider,country,city,province,cost_per_minute,monthly_fee,setup_fee,billing_type,billing_days';
    const lines = [header];
    for (let i = 0; i < IMPORT_ROWS; i += 1) {
      lines.push(`+4420${String(70_000_000 + i)},Carrier ${1 + (i % 20)},GB,London,England,0.0120,2.50,1.00,recurring,30`);
    }
    await db('products').where('number', 'like', '+44207%').where('created_at', '>', new Date(Date.now() - 3600_000)).delete();
    const csv = `${lines.join('\n')}\n`;
    const cpuBefore = await cpuSeconds(db);
    const importStart = performance.now();
    const importId = await storeImport(db, { actorId: adminId, filename: 'bench.csv', content: csv, defaults: {}, now: new Date() });
    const previewStart = performance.now();
    const preview = await previewImport(db, csv, {});
    const previewMs = performance.now() - previewStart;
    const commitStart = performance.now();
    const result = await commitImport(db, importId, { actorId: adminId, now: new Date() });
    const commitMs = performance.now() - commitStart;
    console.log(`\nImport of ${IMPORT_ROWS.toLocaleString('en-US')} rows (${(csv.length / 1024 / 1024).toFixed(1)} MB): ${preview.valid.length.toLocaleString('en-US')} valid, ${preview.invalid.length} invalid`);
    console.log(`  upload stored ${(previewStart - importStart).toFixed(0)} ms, preview ${previewMs.toFixed(0)} ms, commit (re-check + insert + audit, one transaction) ${commitMs.toFixed(0)} ms: ${result.imported.toLocaleString('en-US')} written`);
    const cpuAfter = await cpuSeconds(db);
    console.log(`  upload to committed: ${((performance.now() - importStart) / 1000).toFixed(1)} s wall clock; CPU used: ${(cpuAfter.node - cpuBefore.node).toFixed(1)} s by Node, ${(cpuAfter.postgres - cpuBefore.postgres).toFixed(1)} s by Postgres`);
    await db('audit_log').where({ action: 'did.import' }).delete();
    await db('products').whereIn('id', db('products').select('id').where('number', 'like', '+44207%').where('city', 'London')).delete();

    }

    if (part('export')) {
    // Export the whole list (1,000,000 rows) into a counting sink.
    let bytes = 0;
    let peakRss = process.memoryUsage().rss;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        setImmediate(done);
      },
    });
    const exportStart = performance.now();
    const exported = await exportDids(db, { archived: 'include' }, sink);
    console.log(`\nExport of ${exported.toLocaleString('en-US')} rows: ${((performance.now() - exportStart) / 1000).toFixed(1)} s, ${(bytes / 1024 / 1024).toFixed(0)} MB of CSV, peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
    }
    console.log(`\nLoad average while measuring: ${os.loadavg().map((value) => value.toFixed(1)).join(', ')} on ${os.cpus().length} cores`);
  } finally {
    await db.destroy();
  }
}

await main();
