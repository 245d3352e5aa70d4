// How long the fuzz suite runs: a fixed seed and a bounded count in `npm test`, a random (printed)
// seed and FUZZ_RUNS cases in `npm run fuzz`. FUZZ_SEED replays a run.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/logger.ts';

export interface FuzzSettings {
  runs: number;
  seed: number;
}

/** `share` is this file's part of FUZZ_RUNS; `ciRuns` its count in `npm test`. */
export function fuzzSettings(name: string, ciRuns: number, share: number, ciSeed: number): FuzzSettings {
  const total = Number(process.env.FUZZ_RUNS ?? 0);
  const long = Number.isInteger(total) && total > 0;
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : long ? Math.floor(Math.random() * 2 ** 31) : ciSeed;
  const runs = long ? Math.max(1, Math.round(total * share)) : ciRuns;
  console.log(`fuzz ${name}: ${runs} cases, seed ${seed}${long ? ` (replay: FUZZ_SEED=${seed} FUZZ_RUNS=${total} npm run fuzz)` : ''}`);
  return { runs, seed };
}

/** A logger that keeps the app's last error, to say why a request answered 500. */
export function capturingLogger(): { logger: Logger; takeLastError(): string | undefined } {
  let last: string | undefined;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const entry = JSON.parse(chunk.toString('utf8')) as { msg?: string; err?: { message?: string; stack?: string } };
      const where = entry.err?.stack?.split('\n').find((line) => line.includes('/src/'))?.trim();
      // A template error's message quotes the template: keep the message's own lines only.
      const message = entry.err?.message?.split('\n').filter((line) => line.trim() !== '' && !/^\s*(>>)?\s*\d+\|/.test(line)).join(' ');
      last = [entry.msg, message, where].filter(Boolean).join(' | ');
      done();
    },
  });
  return {
    logger: pino({ level: 'error', base: undefined }, stream),
    takeLastError() {
      const error = last;
      last = undefined;
      return error;
    },
  };
}

export interface Finding {
  route: string;
  problem: string;
  input: string;
  count: number;
}

/** The problems found, one entry per route and kind of problem, with the first input that showed it. */
export class Findings {
  private readonly byKey = new Map<string, Finding>();
  cases = 0;
  serverErrors = 0;

  /** A line now and then in a long run, so a run cut short still tells what it had found. */
  progress(name: string, startedAt: number): void {
    if (this.cases % 1000 === 0) console.log(`(so far) ${this.report(name, startedAt)}`);
  }

  add(route: string, problem: string, input: string): void {
    const key = `${route} ${problem.split(' | ').slice(0, 2).join(' | ')}`;
    const found = this.byKey.get(key);
    if (found) found.count += 1;
    else this.byKey.set(key, { route, problem, input: input.length > 400 ? `${input.slice(0, 400)}… (${input.length} chars)` : input, count: 1 });
  }

  list(): Finding[] {
    return [...this.byKey.values()];
  }

  report(name: string, startedAt: number): string {
    const lines = this.list().map((f) => `  ${f.route} ×${f.count}: ${f.problem}\n    input: ${f.input}`);
    return `fuzz ${name}: ${this.cases} cases, ${this.serverErrors} answered 500, ${this.list().length} distinct problems, ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n${lines.join('\n')}`;
  }
}
