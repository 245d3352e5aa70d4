// Call routing and CDR charging throughput: `npm run bench:calls` (real Postgres).
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/didhub_bench_calls) is dropped and
// created afresh. The app and a bare Express endpoint run in a child process, each on its own local
// port; this process is the load generator (http.Agent with keep-alive, 50 concurrent clients).
// 1. Route requests: mod_xml_curl dialplan lookups over 1,000 owned numbers (half of them customers
//    of a reseller, every number with a Concurrent Calls limit so each request takes the locked
//    path), against the bare endpoint parsing the same form and answering a fixed document.
// 2. CDRs: batches of 1,000 plain JSON records through POST /api/v1/cdrs, rated and charged to
//    every ledger of the chain, 4 batches in flight; then the ledgers are checked to reconcile.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/knex.ts';
import { migrateLatest } from '../src/db/open.ts';
import { createLogger } from '../src/logger.ts';
import { registerSwitch } from '../src/services/switches.ts';
import { dialplanForm } from '../test/helpers/switch.ts';

const URL_DEFAULT = 'postgres://postgres@127.0.0.1:5432/didhub_bench_calls';
const databaseUrl = process.env.BENCH_DATABASE_URL ?? URL_DEFAULT;
const CLIENTS = 50;
const WARMUP_MS = 2_000;
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const ROUNDS = 5;
const NUMBERS = 1_000;
const CDRS = Number(process.env.BENCH_CDRS ?? 100_000);
const CDR_BATCH = 1_000;
const CDR_IN_FLIGHT = 4;

const format = (n: number): string => Math.round(n).toLocaleString('en-US');

// ---- child: the servers --------------------------------------------------------------------
async function serve(): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'bench-only-session-secret', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, SEED_DEMO: 'false' });
  const db = createDb({ databaseUrl, poolMax: 20 });
  const app = createApp({ db, config, logger: createLogger('error') });
  const bare = express();
  const fixed = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<document type="freeswitch/xml"><section name="result"><result status="not found"/></section></document>\n';
  bare.post('/switch/freeswitch/dialplan', express.urlencoded({ extended: false }), (req, res) => {
    res.type('application/xml').send((req.body as Record<string, string>)['Unique-ID'] ? fixed : '');
  });
  const listen = (handler: express.Express) =>
    new Promise<number>((resolve) => {
      const server = handler.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      server.keepAliveTimeout = 60_000;
    });
  const [appPort, barePort] = await Promise.all([listen(app), listen(bare)]);
  process.send!({ appPort, barePort });
}

// ---- parent: setup, load, report ------------------------------------------------------------
async function prepareDatabase(): Promise<{ token: string; numbers: string[] }> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  const server = new URL(databaseUrl);
  server.pathname = '/postgres';
  const admin = createDb({ databaseUrl: server.toString(), poolMax: 1 });
  await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE ${name}`);
  await admin.destroy();
  const db = createDb({ databaseUrl, poolMax: 4 });
  await migrateLatest(db);
  const now = new Date();
  const account = async (role: string, parentId: number | null, balance: string, i: number) => {
    const [row] = (await db('accounts')
      .insert({ role, parent_id: parentId, name: `${role} ${i}`, email: `${role}-${i}@bench.example`, password_hash: 'x', balance, max_concurrent_calls: 0 })
      .returning('id')) as Array<{ id: number }>;
    if (balance !== '0') {
      await db('ledger_entries').insert({ account_id: row!.id, amount: balance, balance_after: balance, kind: 'payment', description: 'Bench funds', idempotency_key: `bench:${row!.id}`, created_at: now });
    }
    return row!.id;
  };
  const adminId = await account('admin', null, '0', 0);
  const resellerId = await account('reseller', adminId, '100000000', 1);
  const owners: Array<{ id: number; viaReseller: boolean }> = [];
  for (let i = 0; i < 100; i += 1) {
    const viaReseller = i % 2 === 0;
    owners.push({ id: await account('customer', viaReseller ? resellerId : adminId, '10000000', i + 2), viaReseller });
  }
  const numbers = Array.from({ length: NUMBERS }, (_, i) => `+1415${String(5_000_000 + i).padStart(7, '0')}`);
  const products = (await db('products')
    .insert(numbers.map((number, i) => {
      const owner = owners[i % owners.length]!;
      return {
        category: 'did', number, country: 'US', status: 'active', connection_cost: '0.01', grace_seconds: 0, cost_per_minute: '0.012',
        initial_increment: 6, increment: 6, call_timeout: 30, concurrent_calls: 1_000_000,
        reseller_id: owner.viaReseller ? resellerId : null, customer_id: owner.id, destination_type: 'sip_uri', destination: 'sip:office@pbx.example.com',
      };
    }))
    .returning(['id', 'customer_id', 'reseller_id'])) as Array<{ id: number; customer_id: number; reseller_id: number | null }>;
  const subscription = (productId: number, accountId: number, sellerId: number) => ({
    product_id: productId, account_id: accountId, seller_id: sellerId, status: 'active', billing_type: 'recurring', billing_days: 30,
    setup_fee: '0', price: '0', started_at: now,
  });
  await db.batchInsert('subscriptions', products.flatMap((p) => (p.reseller_id
    ? [subscription(p.id, p.customer_id, p.reseller_id), subscription(p.id, p.reseller_id, adminId)]
    : [subscription(p.id, p.customer_id, adminId)])), 500);
  await db.batchInsert('reseller_prices', products.filter((p) => p.reseller_id).map((p) => ({
    product_id: p.id, reseller_id: p.reseller_id, setup_fee: '0', monthly_fee: '0', connection_cost: '0.02', grace_seconds: 0,
    cost_per_minute: '0.02', initial_increment: 6, increment: 6,
  })), 500);
  const { token } = await registerSwitch(db, { name: 'bench', allowedAddresses: '127.0.0.1' }, adminId, now);
  await db.raw('ANALYZE');
  await db.destroy();
  return { token, numbers };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

function post(port: number, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

interface LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

interface Tally {
  latencies: number[];
  seconds: number;
  failures: number;
}

/** 50 clients on one target for `ms`; counted into the tally unless it is a warm-up. */
async function load(port: number, token: string, numbers: string[], ms: number, tally: Tally | null): Promise<void> {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' };
  let stop = false;
  let k = 0;
  const client = async () => {
    while (!stop) {
      const number = numbers[k++ % numbers.length]!;
      const body = new URLSearchParams(dialplanForm(number, randomUUID())).toString();
      const started = process.hrtime.bigint();
      const response = await post(port, '/switch/freeswitch/dialplan', headers, body);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (tally && !stop) {
        tally.latencies.push(ms);
        if (response.status !== 200 || !response.body.includes('<document')) tally.failures += 1;
      }
    }
  };
  const started = Date.now();
  const clients = Array.from({ length: CLIENTS }, client);
  await new Promise((resolve) => setTimeout(resolve, ms));
  stop = true;
  if (tally) tally.seconds += (Date.now() - started) / 1000;
  await Promise.all(clients);
}

// This machine's speed drifts by a third from one minute to the next: the two targets take turns
// in short rounds, so both see the same machine and the ratio holds still.
async function loadInTurns(targets: [number, number], token: string, numbers: string[]): Promise<{ results: [LoadResult, LoadResult]; turnRatios: number[] }> {
  const tallies: Tally[] = targets.map(() => ({ latencies: [], seconds: 0, failures: 0 }));
  for (const port of targets) await load(port, token, numbers, WARMUP_MS, null);
  const turnRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const rates = [];
    for (const [i, port] of targets.entries()) {
      const tally = tallies[i]!;
      const [requests, seconds] = [tally.latencies.length, tally.seconds];
      await load(port, token, numbers, MEASURE_MS / ROUNDS, tally);
      rates.push((tally.latencies.length - requests) / (tally.seconds - seconds));
    }
    turnRatios.push(rates[1]! / rates[0]!);
  }
  const result = ({ latencies, seconds, failures }: Tally): LoadResult => {
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    return { perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99), requests: latencies.length, failures };
  };
  return { results: [result(tallies[0]!), result(tallies[1]!)], turnRatios };
}

async function benchCdrs(port: number, token: string, numbers: string[]): Promise<{ perSecond: number; stored: number }> {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const base = Date.UTC(2026, 10, 29) / 1000;
  const bodies: string[] = [];
  for (let b = 0; b < CDRS / CDR_BATCH; b += 1) {
    const records = Array.from({ length: CDR_BATCH }, (_, i) => {
      const n = b * CDR_BATCH + i;
      const billsec = n % 10 === 0 ? 0 : (n * 37) % 1800;
      const start = base + n;
      return { uuid: `bench-${n}`, destination: numbers[n % numbers.length], caller: '+15105550123', started_at: start, answered_at: billsec ? start + 3 : null, ended_at: start + 3 + billsec, billsec };
    });
    bodies.push(JSON.stringify(records));
  }
  let next = 0;
  let stored = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const response = await post(port, '/api/v1/cdrs', headers, body);
      if (response.status !== 200) throw new Error(`CDR batch failed: ${response.status} ${response.body.slice(0, 300)}`);
      stored += (JSON.parse(response.body) as { stored: number }).stored;
    }
  };
  await Promise.all(Array.from({ length: CDR_IN_FLIGHT }, worker));
  return { perSecond: stored / ((Date.now() - started) / 1000), stored };
}

async function checkLedgers(): Promise<string> {
  const db = createDb({ databaseUrl, poolMax: 1 });
  try {
    const result = (await db.raw(`
      SELECT count(*) AS accounts,
             count(*) FILTER (WHERE a.balance <> coalesce(l.total, 0)) AS mismatched
        FROM accounts a LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_entries GROUP BY account_id) l ON l.account_id = a.id`)) as {
      rows: Array<{ accounts: string; mismatched: string }>;
    };
    const charges = (await db.raw("SELECT count(*) AS n FROM ledger_entries WHERE kind = 'call_charge'")) as { rows: Array<{ n: string }> };
    const row = result.rows[0]!;
    return `${row.accounts} accounts, ${row.mismatched} with balance <> sum(ledger); ${format(Number(charges.rows[0]!.n))} call_charge rows`;
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  console.log(`Database: ${databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
  const { token, numbers } = await prepareDatabase();
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['serve'], { env: { ...process.env, BENCH_DATABASE_URL: databaseUrl }, stdio: 'inherit' });
  try {
    const { appPort, barePort } = await new Promise<{ appPort: number; barePort: number }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as { appPort: number; barePort: number }));
      child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    });
    console.log(`\nRoute requests, ${CLIENTS} concurrent clients, ${MEASURE_MS / 1000} s each in ${ROUNDS} turns after ${WARMUP_MS / 1000} s warm-up:`);
    const { results: [bare, route], turnRatios } = await loadInTurns([barePort, appPort], token, numbers);
    const line = (label: string, r: LoadResult) =>
      console.log(`  ${label.padEnd(44)} ${format(r.perSecond).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  (${format(r.requests)} requests, ${r.failures} failed)`);
    line('bare Express (parse form, fixed document)', bare);
    line('didhub /switch/freeswitch/dialplan', route);
    const percent = (ratio: number) => (ratio * 100).toFixed(1);
    console.log(`  ratio didhub / bare: ${percent(route.perSecond / bare.perSecond)} %  (target >= 40 %; turn by turn ${percent(Math.min(...turnRatios))}-${percent(Math.max(...turnRatios))} %)`);

    console.log(`\nCDRs: ${format(CDRS)} records in batches of ${format(CDR_BATCH)}, ${CDR_IN_FLIGHT} batches in flight, through POST /api/v1/cdrs:`);
    const cdrs = await benchCdrs(appPort, token, numbers);
    console.log(`  ${format(cdrs.perSecond)} CDRs rated and charged per second (${format(cdrs.stored)} stored; target >= 5,000/s)`);
    console.log(`  ledgers: ${await checkLedgers()}`);
  } finally {
    child.kill();
    agent.destroy();
  }
}

if (process.argv[2] === 'serve') {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
