// Rating throughput: `npm run bench:rating`.
// 1. In-process: 1,000,000 generated calls through compileTerms + rateCompiled, against a naive
//    integer (micro-unit) version of the same formula written here, in the same run.
// 2. File: `didhub rate-cdrs` on a generated 1,000,000-row CSV (in a temp dir), against csv-parse
//    alone reading the same file.
// Each measurement runs several times; the best run is reported (least disturbed by the machine).
// File passes run in child processes: in one process, csv-parse's code optimised for one set of
// options slows down the other pass, which made either look worse depending on the order.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { main } from '../src/cli/main.ts';
import { compileTerms, rateCall, rateCompiled, type RateTerms } from '../src/domain/rating.ts';

const CALLS = 1_000_000;
const ROWS = 1_000_000;
const REPEATS = 3;
const DECIMALS = 4;

// A deterministic generator, so runs are comparable.
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const plans: RateTerms[] = Array.from({ length: 20 }, () => ({
  connectionCost: pick(['0', '0.01', '0.05', '0.10', '0.25']),
  graceSeconds: pick([0, 0, 5, 10]),
  perMinute: pick(['0.004', '0.0125', '0.60', '1.25', '0.013', '12.00']),
  initialIncrement: pick([0, 1, 6, 30, 60]),
  increment: pick([0, 1, 6, 30, 60]),
}));
const durationOf = (): number => (random() < 0.1 ? 0 : Math.floor(random() ** 2 * 3600));
const callPlans = Int32Array.from({ length: CALLS }, () => Math.floor(random() * plans.length));
const callDurations = Int32Array.from({ length: CALLS }, durationOf);

function best(label: string, runs: number[]): number {
  const top = Math.max(...runs);
  console.log(`  ${label.padEnd(40)} ${format(top)} calls/s  (runs: ${runs.map(format).join(', ')})`);
  return top;
}
const format = (n: number): string => Math.round(n).toLocaleString('en-US');

function timeLoop(run: () => number): number {
  const started = process.hrtime.bigint();
  const checksum = run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (checksum < 0) console.log('impossible');
  return CALLS / seconds;
}

// The baseline: the same formula in integer micro-units, written the obvious way.
interface NaiveTerms { c: number; p: number; g: number; i: number; n: number }
const naivePlans: NaiveTerms[] = plans.map((t) => ({
  c: Math.round(Number(t.connectionCost) * 1e6),
  p: Math.round(Number(t.perMinute) * 1e6),
  g: t.graceSeconds,
  i: t.initialIncrement < 1 ? 0 : t.initialIncrement,
  n: t.increment < 1 ? 1 : t.increment,
}));
function naiveCost(t: NaiveTerms, d: number): { cost: string; billedSeconds: number } {
  if (d < 1) return { cost: (0).toFixed(DECIMALS), billedSeconds: 0 };
  let r = d - t.g;
  let billed = 0;
  if (r > 0) {
    billed = t.i;
    r -= t.i;
    if (r > 0) billed += Math.ceil(r / t.n) * t.n;
  }
  const units = Math.floor((t.c * 60 + t.p * billed + 3000) / 6000); // HALF_UP to 10^-4
  return { cost: (units / 10 ** DECIMALS).toFixed(DECIMALS), billedSeconds: billed };
}

async function benchInProcess(): Promise<void> {
  console.log(`In-process, ${format(CALLS)} calls over ${plans.length} plans:`);
  const compiled = plans.map((t) => compileTerms(t));
  const fast = (): number => {
    let sum = 0;
    for (let k = 0; k < CALLS; k += 1) {
      const rated = rateCompiled(compiled[callPlans[k]!]!, callDurations[k]!, DECIMALS);
      sum += rated.cost.length + rated.billedSeconds;
    }
    return sum;
  };
  const naive = (): number => {
    let sum = 0;
    for (let k = 0; k < CALLS; k += 1) {
      const rated = naiveCost(naivePlans[callPlans[k]!]!, callDurations[k]!);
      sum += rated.cost.length + rated.billedSeconds;
    }
    return sum;
  };
  // Sanity: both give the same answers.
  for (let k = 0; k < 10_000; k += 1) {
    const a = rateCompiled(compiled[callPlans[k]!]!, callDurations[k]!, DECIMALS);
    const b = naiveCost(naivePlans[callPlans[k]!]!, callDurations[k]!);
    if (a.cost !== b.cost || a.billedSeconds !== b.billedSeconds) throw new Error(`mismatch at ${k}: ${a.cost} vs ${b.cost}`);
  }
  const fastRuns: number[] = [];
  const naiveRuns: number[] = [];
  for (let r = 0; r < REPEATS + 1; r += 1) {
    const f = timeLoop(fast);
    const n = timeLoop(naive);
    if (r > 0) {
      fastRuns.push(f);
      naiveRuns.push(n);
    }
  }
  const fastBest = best('rateCompiled (cost + billed seconds)', fastRuns);
  const naiveBest = best('naive integer baseline', naiveRuns);
  console.log(`  ratio rateCompiled / naive: ${(fastBest / naiveBest).toFixed(2)}  (target >= 0.50, and >= 1,000,000 calls/s)`);

  const withBreakdown = 100_000;
  const started = process.hrtime.bigint();
  for (let k = 0; k < withBreakdown; k += 1) rateCall(compiled[callPlans[k]!]!, callDurations[k]!, DECIMALS);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`  ${'rateCall with breakdown (for reference)'.padEnd(40)} ${format(withBreakdown / seconds)} calls/s`);
}

async function writeCdrFile(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('uuid,caller,callee,start,billsec,connection_cost,grace,per_minute,initial_increment,increment,hangup_cause\n');
  let plan = plans[0]!;
  let chunk = '';
  for (let k = 0; k < ROWS; k += 1) {
    // CDR files come grouped by DID or account: terms repeat in runs.
    if (random() < 0.2) plan = pick(plans);
    chunk += `${k.toString(16).padStart(12, '0')},+1415555${String(k % 10_000).padStart(4, '0')},+3226${String(k % 1_000_000).padStart(6, '0')},2026-11-29T12:00:00Z,${durationOf()},${plan.connectionCost},${plan.graceSeconds},${plan.perMinute},${plan.initialIncrement},${plan.increment},NORMAL_CLEARING\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((resolve, reject) => out.on("finish", () => resolve()).on('error', reject));
}

const sink = (): Writable => new Writable({ objectMode: true, write: (_chunk, _encoding, done) => done() });

interface Measured { wall: number; cpu: number }

/** In a child process: one measurement of one file pass, so neither pass shapes the JIT for the other. */
async function measureChild(kind: string, input: string, output: string): Promise<void> {
  const stderr = new Writable({ write: (_chunk, _encoding, done) => done() });
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  if (kind === 'parse') {
    await pipeline(createReadStream(input), parse(), sink());
  } else {
    const exitCode = await main(['rate-cdrs', input, '-o', output], { stdout: process.stdout, stderr });
    if (exitCode !== 0) throw new Error(`rate-cdrs exited with ${exitCode}`);
  }
  const cpu = process.cpuUsage(cpuStart);
  const measured: Measured = {
    wall: ROWS / (Number(process.hrtime.bigint() - wallStart) / 1e9),
    cpu: ROWS / ((cpu.user + cpu.system) / 1e6),
  };
  process.stdout.write(JSON.stringify(measured));
}

function runChild(kind: string, input: string, output: string): Measured {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind, input, output], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`benchmark child ${kind} failed`);
  return JSON.parse(child.stdout) as Measured;
}

async function benchFile(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'didhub-bench-'));
  try {
    const input = join(dir, 'cdrs.csv');
    const output = join(dir, 'rated.csv');
    await writeCdrFile(input);
    console.log(`\nFile, ${format(ROWS)} rows (${((await stat(input)).size / 1e6).toFixed(0)} MB), each pass in a fresh process:`);
    const parseRuns: Measured[] = [];
    const rateRuns: Measured[] = [];
    for (let r = 0; r < REPEATS; r += 1) {
      parseRuns.push(runChild('parse', input, output));
      rateRuns.push(runChild('rate-cdrs', input, output));
    }
    const parseBest = best('csv-parse alone (baseline)', parseRuns.map((m) => m.wall));
    const rateBest = best('didhub rate-cdrs -o file', rateRuns.map((m) => m.wall));
    console.log(`  ratio rate-cdrs / csv-parse: ${(rateBest / parseBest).toFixed(2)}  (target >= 0.70)`);
    const parseCpu = Math.max(...parseRuns.map((m) => m.cpu));
    const rateCpu = Math.max(...rateRuns.map((m) => m.cpu));
    console.log(`  per CPU second (less sensitive to a busy machine): csv-parse ${format(parseCpu)}, rate-cdrs ${format(rateCpu)}, ratio ${(rateCpu / parseCpu).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const [kind, input, output] = process.argv.slice(childAt + 1);
  await measureChild(kind!, input!, output!);
} else {
  await benchInProcess();
  await benchFile();
}
