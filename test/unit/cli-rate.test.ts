import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { rateCdrStream, type RejectedCdr } from '../../src/services/rate-cdr-file.ts';
import { toCsvLine } from '../../src/services/cdr-csv.ts';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const TERMS = ['--connection-cost', '0.10', '--grace', '10', '--per-minute', '0.60', '--initial-increment', '60', '--increment', '6'];
const HEADER = 'billsec,connection_cost,grace,per_minute,initial_increment,increment';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'didhub-cli-rate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
async function csvFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('didhub rate', () => {
  it('when given the BILLING.md terms and 125 s, then it prints 1.3000', async () => {
    expect(await run('rate', '--duration', '125', ...TERMS)).toEqual({ code: 0, stdout: '1.3000\n', stderr: '' });
  });

  it('when asked for 6 decimals, then the cost has 6 places', async () => {
    expect((await run('rate', '--duration', '71', ...TERMS, '--decimals', '6')).stdout).toBe('0.760000\n');
  });

  it('when asked for JSON, then it prints the cost, billed seconds, breakdown and the readable line', async () => {
    const { code, stdout } = await run('rate', '--duration', '125', ...TERMS, '--json');
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      cost: '1.3000',
      billedSeconds: 120,
      breakdown: { connectionFee: '0.1000', graceSeconds: 10, initialBlockSeconds: 60, increments: 10, incrementSeconds: 6, incrementsAmount: '0.6000' },
      text: 'connection 0.1000 + grace 10 s free + initial 60 s 0.6000 + 10 × 6 s 0.6000 = 1.3000',
    });
  });

  it('when a term is negative, then it exits 2 naming the option', async () => {
    const { code, stderr } = await run('rate', '--duration', '60', '--connection-cost=-0.10', ...TERMS.slice(2));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--connection-cost must not be negative/);
  });

  it('when a duration is fractional or a term is missing, then it exits 2 with the usage', async () => {
    const fractional = await run('rate', '--duration', '1.5', ...TERMS);
    expect(fractional.code).toBe(2);
    expect(fractional.stderr).toMatch(/--duration must be a whole number/);
    const missing = await run('rate', '--duration', '60', ...TERMS.slice(2));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--connection-cost is required/);
    expect(missing.stderr).toMatch(/Usage: didhub rate/);
    const unknown = await run('rate', '--duration', '60', ...TERMS, '--bogus', '1');
    expect(unknown.code).toBe(2);
  });
});

describe('didhub max-duration', () => {
  it('when the funds are 5, then 496 seconds are allowed', async () => {
    expect(await run('max-duration', '--funds', '5', ...TERMS)).toEqual({ code: 0, stdout: '496\n', stderr: '' });
  });

  it('when the cap is lower than what the funds allow, then the cap is printed', async () => {
    expect((await run('max-duration', '--funds', '1000', ...TERMS, '--cap', '3600')).stdout).toBe('3600\n');
    expect((await run('max-duration', '--funds', '1000', ...TERMS)).stdout).toBe('7200\n');
  });

  it('when the funds do not cover the first block, then it prints the refusal and exits 1', async () => {
    const { code, stdout } = await run('max-duration', '--funds', '0.50', ...TERMS);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^refused: funds 0.5000 do not cover the connection cost plus the initial increment \(0.7000\)/);
    const json = await run('max-duration', '--funds', '0.50', ...TERMS, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ allowed: false });
  });

  it('when funds are not an amount, then it exits 2 naming --funds', async () => {
    const { code, stderr } = await run('max-duration', '--funds', 'plenty', ...TERMS);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--funds "plenty" is not an amount/);
  });
});

describe('didhub rate-cdrs', () => {
  it('when every row is good, then each is written with cost and billed seconds and the summary ends stderr', async () => {
    const input = await csvFile('good.csv', `${HEADER}\n125,0.10,10,0.60,60,6\n3600,0.10,10,0.60,60,6\n0,0.10,10,0.60,60,6\n`);
    const { code, stdout, stderr } = await run('rate-cdrs', input);
    expect(code).toBe(0);
    expect(stdout).toBe(
      `${HEADER},cost,billed_seconds\n125,0.10,10,0.60,60,6,1.3000,120\n3600,0.10,10,0.60,60,6,36.0400,3594\n0,0.10,10,0.60,60,6,0.0000,0\n`,
    );
    expect(stderr).toBe('rated 3 rows, rejected 0, total cost 37.3400\n');
  });

  it('when other columns surround the required ones, then they pass through unchanged and in order', async () => {
    const input = await csvFile(
      'passthrough.csv',
      `uuid,per_minute,note,billsec,grace,connection_cost,increment,initial_increment,caller\n` +
        `a-1,0.60,"hello, ""world""",125,10,0.10,6,60,+14155550100\n` +
        `a-2,0.60,"two\nlines",71,10,0.10,6,60,+14155550101\n`,
    );
    const { code, stdout } = await run('rate-cdrs', input);
    expect(code).toBe(0);
    expect(stdout).toBe(
      `uuid,per_minute,note,billsec,grace,connection_cost,increment,initial_increment,caller,cost,billed_seconds\n` +
        `a-1,0.60,"hello, ""world""",125,10,0.10,6,60,+14155550100,1.3000,120\n` +
        `a-2,0.60,"two\nlines",71,10,0.10,6,60,+14155550101,0.7600,66\n`,
    );
  });

  it('when rows are bad, then each is reported with its line number and reason, left out, and the run goes on', async () => {
    const input = await csvFile(
      'bad.csv',
      `id,${HEADER}\n` +
        `1,125,0.10,10,0.60,60,6\n` +
        `2,abc,0.10,10,0.60,60,6\n` +
        `3,61,0.10,10,0.60,60\n` +
        `4,61,-0.10,10,0.60,60,6\n` +
        `5,61,0.10,10,0.60,1.5,6\n` +
        `6,61,0.10,10,0.60,60,6\n`,
    );
    const { code, stdout, stderr } = await run('rate-cdrs', input, '--decimals', '2');
    expect(code).toBe(1);
    expect(stdout).toBe(`id,${HEADER},cost,billed_seconds\n1,125,0.10,10,0.60,60,6,1.30,120\n6,61,0.10,10,0.60,60,6,0.70,60\n`);
    expect(stderr.split('\n')).toEqual([
      `${input} line 3: billsec: must be a whole number of seconds, got "abc"`,
      `${input} line 4: has 6 fields, the header has 7`,
      `${input} line 5: connection_cost: must not be negative, got -0.10`,
      `${input} line 6: initial_increment: must be a whole number of seconds, got "1.5"`,
      'rated 2 rows, rejected 4, total cost 2.00',
      '',
    ]);
  });

  it('when -o is given, then the rated rows go to that file and stdout stays empty', async () => {
    const input = await csvFile('to-file.csv', `${HEADER}\n125,0.10,10,0.60,60,6\n`);
    const output = join(dir, 'rated.csv');
    const { code, stdout } = await run('rate-cdrs', input, '-o', output);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(await readFile(output, 'utf8')).toBe(`${HEADER},cost,billed_seconds\n125,0.10,10,0.60,60,6,1.3000,120\n`);
  });

  it('when a required column is missing, then it exits 2 before writing any row', async () => {
    const input = await csvFile('missing.csv', 'billsec,connection_cost,per_minute\n125,0.10,0.60\n');
    const output = join(dir, 'never.csv');
    const { code, stdout, stderr } = await run('rate-cdrs', input, '-o', output);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`didhub rate-cdrs: ${input}: the header lacks the required columns grace, initial_increment, increment\n`);
    await expect(access(output)).rejects.toThrow();
    const toStdout = await run('rate-cdrs', input);
    expect(toStdout.stdout).toBe('');
  });

  it('when the input file does not exist or no file is given, then it exits 2', async () => {
    const missing = await run('rate-cdrs', join(dir, 'nope.csv'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.csv/);
    expect((await run('rate-cdrs')).code).toBe(2);
    expect((await run('rate-cdrs', 'a.csv', '--decimals', '9')).code).toBe(2);
  });
});

describe('rateCdrStream', () => {
  it('when the output is slow, then the input is read only as fast as it is written (backpressure)', async () => {
    const chunks = 200;
    const rowsPerChunk = 500;
    let produced = 0;
    async function* rows(): AsyncGenerator<string> {
      yield `${HEADER}\n`;
      for (let c = 0; c < chunks; c += 1) {
        produced += 1;
        yield `125,0.10,10,0.60,60,6\n`.repeat(rowsPerChunk);
      }
    }
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let written = 0;
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        void released.then(() => done());
      },
    });
    const rating = rateCdrStream(Readable.from(rows()), output, { decimals: 4 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(produced).toBeLessThan(chunks / 4);
    release();
    const summary = await rating;
    expect(summary).toEqual({ rated: chunks * rowsPerChunk, rejected: 0, totalCost: '130000.0000' });
    expect(written).toBe(`${HEADER},cost,billed_seconds\n`.length + chunks * rowsPerChunk * '125,0.10,10,0.60,60,6,1.3000,120\n'.length);
  });

  it('when rows are rejected, then onReject receives line numbers that count multi-line records and skipped lines', async () => {
    const rejected: RejectedCdr[] = [];
    const input = `${HEADER},note\n125,0.10,10,0.60,60,6,"a\nb"\n\nx,0.10,10,0.60,60,6,ok\n125,0.10,10,0.60,60,6,"unclosed\n`;
    const output = new Writable({ write: (_chunk, _encoding, done) => done() });
    const summary = await rateCdrStream(Readable.from([input]), output, { decimals: 4, onReject: (r) => rejected.push(r) });
    expect(summary).toEqual({ rated: 1, rejected: 2, totalCost: '1.3000' });
    expect(rejected[0]).toEqual({ line: 5, reason: 'billsec: must be a whole number of seconds, got "x"' });
    expect(rejected[1]!.line).toBe(6);
    expect(rejected[1]!.reason).toMatch(/Quote Not Closed/);
  });

  it('when the total is large, then it stays exact', async () => {
    const rows = `${HEADER}\n` + '86400,99999.99,0,99999.99,1,1\n'.repeat(1000);
    const output = new Writable({ write: (_chunk, _encoding, done) => done() });
    const summary = await rateCdrStream(Readable.from([rows]), output, { decimals: 6 });
    // each: 99999.99 + 99999.99 * 1440 = 144099985.59
    expect(summary.totalCost).toBe('144099985590.000000');
  });

  it('when quoted fields appear only late in a long file, then rows before and after are written correctly', async () => {
    const plainRow = 'x,125,0.10,10,0.60,60,6\n';
    const input = [`note,${HEADER}\n`, plainRow.repeat(1000), '"a, ""b""",125,0.10,10,0.60,60,6\n', plainRow.repeat(10)];
    let text = '';
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    const summary = await rateCdrStream(Readable.from(input.map((part) => Buffer.from(part))), output, { decimals: 4 });
    expect(summary.rated).toBe(1011);
    const lines = text.split('\n');
    expect(lines[1]).toBe('x,125,0.10,10,0.60,60,6,1.3000,120');
    expect(lines[1001]).toBe('"a, ""b""",125,0.10,10,0.60,60,6,1.3000,120');
    expect(lines[1011]).toBe('x,125,0.10,10,0.60,60,6,1.3000,120');
    expect(lines).toHaveLength(1013);
  });

  it('when a field holds a comma, a quote or a line break, then it is quoted in the output', () => {
    expect(toCsvLine(['a', 'b,c', 'say "hi"', 'x\ny', ''])).toBe('a,"b,c","say ""hi""","x\ny",\n');
  });
});
