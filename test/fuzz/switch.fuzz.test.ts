// Fuzz over the switches' endpoints: the FreeSWITCH dialplan lookup (a form in, XML out), the
// FreeSWITCH CDR (JSON, or a form carrying JSON or its Base64), and the JSON API's call
// authorisation and CDR batch. Whatever comes in: never a 500; a refused request changes nothing
// but the Rejected CDRs list (where a malformed CDR is kept by design) unless the answer says it
// stored records; markup never comes back unescaped in the XML.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request, { type Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { changedTables, fingerprint, type Fingerprint, type Table } from '../helpers/db-fingerprint.ts';
import { routesOf } from '../helpers/router-stack.ts';
import { SWITCH_API_PATHS } from '../../src/web/routes/switch/index.ts';
import { dialplanForm, freeswitchCdr } from '../helpers/switch.ts';
import { capturingLogger, Findings, fuzzSettings } from './settings.ts';
import { encodePairs, fieldMove, fuzzJson, fuzzText, hugeText, movePairs, unescapedMarker, type FieldMove } from './values.ts';
import { buildWorld, NOW, type World } from './world.ts';

const database = useTestDatabase();
const settings = fuzzSettings('switch', 100, 0.25, 20261130);

type Endpoint = '/switch/freeswitch/dialplan' | '/switch/freeswitch/cdr' | '/api/v1/calls/authorize' | '/api/v1/cdrs';
const ENDPOINTS: readonly Endpoint[] = ['/switch/freeswitch/dialplan', '/switch/freeswitch/cdr', '/api/v1/calls/authorize', '/api/v1/cdrs'];
/** A CDR that cannot be stored is kept under Rejected CDRs: that is the one change a refusal may make. */
const KEPT_ON_REFUSAL: Record<Endpoint, Table[]> = {
  '/switch/freeswitch/dialplan': [],
  '/switch/freeswitch/cdr': ['rejected_cdrs'],
  '/api/v1/calls/authorize': [],
  '/api/v1/cdrs': ['rejected_cdrs'],
};

let app: Express;
let db: Knex;
let world: World;
const log = capturingLogger();

beforeAll(async () => {
  db = database.current.db;
  world = await buildWorld(db);
  app = createApp({ db, config: testConfig(), logger: log.logger, now: () => NOW });
}, 300_000);

/** A change to a JSON document: a leaf (by its path) replaced or removed, or the whole replaced. */
type Edit = { path: string[]; value: unknown } | { path: string[]; remove: true };

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => leafPaths(inner, [...prefix, key]));
}

function applyEdits(document: unknown, edits: Edit[]): unknown {
  const copy = structuredClone(document) as Record<string, unknown>;
  for (const edit of edits) {
    if (edit.path.length === 0) return 'value' in edit ? edit.value : undefined;
    let node = copy;
    for (const key of edit.path.slice(0, -1)) node = (node?.[key] ?? {}) as Record<string, unknown>;
    const last = edit.path.at(-1)!;
    if ('remove' in edit) delete node[last];
    else node[last] = edit.value;
  }
  return copy;
}

const editsOf = (document: unknown): fc.Arbitrary<Edit[]> => {
  // The call's own fields (FreeSWITCH's variables, every field of a plain record) are hit most.
  const paths = leafPaths(document).flatMap((p) => (p[0] === 'variables' || p.length <= 2 ? [p, p, p, p] : [p]));
  const path = fc.constantFrom(...paths);
  return fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ path, value: fuzzJson }) },
      // eslint-disable-next-line no-loss-of-precision -- numbers past 2^53 are the input under test
      { weight: 2, arbitrary: fc.record({ path, value: fc.constantFrom<unknown>(1e308, -1, 9007199254740993, 1.5, '1e308', '0000-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '+275760-09-13T00:00:00Z', '\u0000') }) },
      { weight: 1, arbitrary: fc.record({ path, remove: fc.constant(true as const) }) },
      { weight: 1, arbitrary: fc.record({ path: fc.constant<string[]>([]), value: fuzzJson }) },
    ),
    { minLength: 1, maxLength: 3 },
  );
};

/** Bodies no switch should send: broken JSON, a JSON bomb, another charset, a body over the limit. */
const RAW_BODIES: Array<{ type: string; body: string | Buffer }> = [
  { type: 'application/json', body: '{"uuid": "x",' },
  { type: 'application/json', body: `${'['.repeat(5_000)}${']'.repeat(5_000)}` },
  { type: 'application/json', body: `{"a":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_001)}` },
  { type: 'application/json; charset=utf-16', body: Buffer.from('{"uuid":"x"}', 'utf16le') },
  { type: 'application/json', body: Buffer.from('{"uuid":"x"}', 'utf16le') },
  { type: 'application/json', body: '' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '"\\u0000"' },
  { type: 'text/plain', body: 'hello' },
  { type: 'application/x-www-form-urlencoded', body: 'cdr=%00' },
  { type: 'application/x-www-form-urlencoded', body: `cdr=${Buffer.from('{"variables":{"uuid":"\\u0000"}}').toString('base64')}` },
  { type: 'application/x-www-form-urlencoded', body: 'cdr=notbase64!!&cdr=x' },
];

type Auth = 'bearer' | 'basic' | 'none' | 'wrong';
type Case =
  | { endpoint: '/switch/freeswitch/dialplan'; auth: Auth; moves: Partial<Record<string, FieldMove>>; extra: Array<[string, string]>; number: string }
  | { endpoint: Exclude<Endpoint, '/switch/freeswitch/dialplan'>; auth: Auth; document: unknown; edits: Edit[]; asForm?: 'json' | 'base64' }
  | { endpoint: Endpoint; auth: Auth; raw: { type: string; body: string | Buffer } };

function plainCdr(uuid: string, number: string): Record<string, unknown> {
  return {
    uuid, destination: number, caller: '+15105550123', started_at: '2026-11-29T11:00:00Z', answered_at: '2026-11-29T11:00:04Z',
    ended_at: '2026-11-29T11:01:04Z', duration: 64, billsec: 60, hangup_cause: 'NORMAL_CLEARING',
  };
}

const caseArbitrary = (): fc.Arbitrary<Case> => {
  const auth = fc.constantFrom<Auth>('bearer', 'bearer', 'bearer', 'bearer', 'bearer', 'bearer', 'basic', 'none', 'wrong');
  const number = fc.oneof(fc.constantFrom(world.numbers.customer, world.numbers.directCustomer), fuzzText);
  const numberAndUuid = fc.tuple(number, fc.uuid());
  const sample = dialplanForm('+15105550000', randomUUID());
  const dialplan = fc.record({
    endpoint: fc.constant('/switch/freeswitch/dialplan' as const),
    auth,
    moves: fc.record(Object.fromEntries(Object.keys(sample).map((n) => [n, fc.oneof({ weight: 4, arbitrary: fc.constant<FieldMove>({ kind: 'keep' }) }, { weight: 1, arbitrary: fieldMove })])), { requiredKeys: [] }),
    extra: fc.array(fc.tuple(fc.constantFrom('Hunt-Destination-Number', 'Hunt-Context', 'Hunt-Caller-ID-Number', 'variable_uuid', 'section'), fuzzText), { maxLength: 2 }),
    number,
  });
  const documentCase = <E extends Exclude<Endpoint, '/switch/freeswitch/dialplan'>>(endpoint: E, make: (n: string, u: string) => unknown, forms: boolean) =>
    numberAndUuid.chain(([n, u]) => {
      const document = make(n, u);
      return fc.record({ endpoint: fc.constant(endpoint), auth, document: fc.constant(document), edits: fc.oneof(fc.constant<Edit[]>([]), editsOf(document)), ...(forms ? { asForm: fc.constantFrom('json', 'base64', undefined) } : {}) });
    });
  const raw = fc.record({
    endpoint: fc.constantFrom(...ENDPOINTS),
    auth,
    raw: fc.oneof(fc.constantFrom(...RAW_BODIES), hugeText.map((text) => ({ type: 'application/json', body: JSON.stringify([{ uuid: text }]) }))),
  });
  return fc.oneof(
    { weight: 3, arbitrary: dialplan },
    { weight: 4, arbitrary: documentCase('/switch/freeswitch/cdr', (n, u) => freeswitchCdr({ uuid: u, number: n, billsec: 42 }), true) },
    { weight: 2, arbitrary: documentCase('/api/v1/calls/authorize', (n, u) => ({ uuid: u, destination: n, caller: '+15105550123' }), false) },
    { weight: 4, arbitrary: documentCase('/api/v1/cdrs', (n, u) => [plainCdr(u, n), plainCdr(`${u}-2`, n)], false) },
    { weight: 1, arbitrary: raw },
  );
};

function authHeader(auth: Auth): string | undefined {
  if (auth === 'bearer') return `Bearer ${world.switchToken}`;
  if (auth === 'basic') return `Basic ${Buffer.from(`freeswitch:${world.switchToken}`).toString('base64')}`;
  return auth === 'wrong' ? `Bearer ${world.switchToken.slice(1)}x` : undefined;
}

function bodyOf(c: Case): { type: string; body: string | Buffer } {
  if ('raw' in c) return c.raw;
  if ('moves' in c) return { type: 'application/x-www-form-urlencoded', body: encodePairs(movePairs(dialplanForm(c.number, randomUUID()), c.moves, c.extra)) };
  const json = JSON.stringify(applyEdits(c.document, c.edits)) ?? '';
  if (c.asForm === 'json') return { type: 'application/x-www-form-urlencoded', body: encodePairs([['cdr', json]]) };
  if (c.asForm === 'base64') return { type: 'application/x-www-form-urlencoded', body: encodePairs([['cdr', Buffer.from(json).toString('base64')]]) };
  return { type: 'application/json', body: json };
}

async function send(c: Case): Promise<{ response: Response; input: string }> {
  const { type, body } = bodyOf(c);
  const post = request(app).post(c.endpoint).set('Content-Type', type);
  const header = authHeader(c.auth);
  if (header) post.set('Authorization', header);
  const text = Buffer.isBuffer(body) ? `(${body.length} bytes) ${body.toString('hex').slice(0, 80)}` : body;
  return { response: await post.send(body), input: `${c.auth} ${type} ${text}` };
}

const findings = new Findings();
let last: Fingerprint;

/** Whether the answer says records were stored (a batch with some valid records is a 400 that stores them). */
function storedSome(response: Response): boolean {
  const body = response.body as { stored?: unknown; status?: unknown } | undefined;
  return (typeof body?.stored === 'number' && body.stored > 0) || body?.status === 'stored';
}

async function check(c: Case): Promise<void> {
  findings.cases += 1;
  let sent;
  try {
    sent = await send(c);
  } catch (error) {
    findings.add(`POST ${c.endpoint}`, `no readable answer: ${(error as Error).message}`, `${c.auth} ${c.endpoint}`);
    last = await fingerprint(db);
    return;
  }
  const { response, input } = sent;
  if (response.status >= 500) {
    findings.serverErrors += 1;
    findings.add(`POST ${c.endpoint}`, `${response.status}: ${log.takeLastError() ?? '(nothing logged)'}`, input);
  }
  const now = await fingerprint(db);
  if (response.status >= 400 && !storedSome(response)) {
    const changed = changedTables(last, now, KEPT_ON_REFUSAL[c.endpoint]);
    if (changed.length > 0) findings.add(`POST ${c.endpoint}`, `refused with ${response.status} but changed ${changed.join(', ')}`, input);
  }
  last = now;
  const marker = unescapedMarker(response.text ?? '');
  if (marker && String(response.headers['content-type']).includes('xml')) findings.add(`POST ${c.endpoint}`, `shows ${marker} unescaped in XML`, input);
}

describe('fuzz over the switch endpoints', () => {
  it('when the routes are listed, then every switch route is fuzzed', () => {
    const routes = routesOf(app, 'post').filter((p) => p.startsWith('/switch/') || SWITCH_API_PATHS.some((path) => p === `/api/v1${path}`));
    expect(routes.sort()).toEqual([...ENDPOINTS].sort());
  });

  it('when generated requests reach the switch endpoints, then no 500, no change on refusal and no unescaped markup', async () => {
    const startedAt = Date.now();
    last = await fingerprint(db);
    await fc.assert(fc.asyncProperty(caseArbitrary(), async (c) => {
      await check(c);
      findings.progress('switch', startedAt);
    }), { seed: settings.seed, numRuns: settings.runs, endOnFailure: true });
    console.log(findings.report('switch', startedAt));
    expect(findings.list()).toEqual([]);
  }, 60_000 + settings.runs * 500);
});
