// Fuzz over every page route: generated values posted to every form and sent to every list filter,
// as each role (and as an anonymous visitor, and as the wrong role). Whatever comes in: never a 500,
// a refused request (400 and up) leaves the database as it was, and no posted markup comes back
// unescaped. The routes come from the Express router stack and the fields from the pages' own
// forms, so a new route or field is fuzzed without touching this file.
import fc from 'fast-check';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { testConfig } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { changedTables, fingerprint, type Fingerprint } from '../helpers/db-fingerprint.ts';
import { fillRoute, matchesRoute, routesOf } from '../helpers/router-stack.ts';
import { formsOf, linkQueryNames } from './forms.ts';
import { capturingLogger, Findings, fuzzSettings } from './settings.ts';
import { encodePairs, fieldMove, formEncode, fuzzText, hugeText, jsonOverrides, movePairs, unescapedMarker, type FieldMove } from './values.ts';
import { buildWorld, NOW, openSession, paramsFor, ROLES, type Role, type Session, type World } from './world.ts';

const database = useTestDatabase();
const settings = fuzzSettings('routes', 300, 0.75, 20261130);

/** The switches' routes have their own suite (switch.fuzz.test.ts). */
const SWITCH_ROUTES = /^\/(switch|api)\//;
/** Page routes with no form on any page, with why. A POST route missing from pages and from here fails the suite. */
const POSTS_WITHOUT_FORM: Record<string, string> = {
  '/webhooks/stripe': 'Stripe posts signed events; stripe-webhooks.test.ts covers it (unsigned input is a 400)',
  '/webhooks/stripe/reseller/:id': 'as /webhooks/stripe, for a reseller\'s own Stripe account',
  '/password/reset/:token': 'the form shows only for a live link; password-reset.test.ts drives it (an unknown link is a 410 page)',
  // Their forms show only with Stripe keys, and a valid form then calls Stripe: stripe-payments.test.ts
  // drives them against a local Stripe.
  '/customer/payments/add': 'shown only when the account can pay online (Stripe keys set)',
  '/reseller/payments/add': 'shown only when the account can pay online (Stripe keys set)',
  '/customer/refill/card': 'shown only when the account can pay online (Stripe keys set)',
  '/reseller/refill/card': 'shown only when the account can pay online (Stripe keys set)',
  '/reseller/holds/:id/release': 'the form shows only while a hold is active (after Hold on Buy DIDs)',
  '/customer/holds/:id/release': 'the form shows only while a hold is active (after Hold on Buy DIDs)',
  '/account/api-keys/:id/revoke': 'the form shows only once the account has a key',
  // The form shows once a logo is uploaded; the demo data has none.
  '/admin/company/logo/remove': 'no logo in the demo data',
  '/reseller/company/logo/remove': 'no logo in the demo data',
};
/** Query names every GET route is tried with, besides those its own forms and links use. */
const COMMON_QUERY = ['page', 'sort', 'q', 'status', 'from', 'to', 'next', 'account', 'format'];

interface Target {
  method: 'get' | 'post';
  pattern: string;
  /** The role whose area the route is in; public routes belong to everyone. */
  owner: Role | 'any';
  /** The page's values for each field (a POST form's fields, or a GET route's query names with ''). */
  fields: Record<string, string>;
}

function ownerOf(pattern: string): Role | 'any' {
  const area = /^\/(admin|reseller|customer)(\/|$)/.exec(pattern)?.[1];
  return (area as Role | undefined) ?? 'any';
}

let app: Express;
let db: Knex;
let world: World;
const sessions = {} as Record<Role, Session>;
const targets: Target[] = [];
const pages = new Map<string, string>();
const log = capturingLogger();

function pagePath(pattern: string): string {
  const query = world.pageQueries[pattern];
  return fillRoute(pattern, paramsFor(world, pattern)) + (query ? `?${query}` : '');
}

/** The route a concrete path is for: a literal route before one with parameters (/admin/dids/import, not /admin/dids/:id). */
function routeFor(patterns: string[], path: string): string | undefined {
  return patterns.find((p) => p === path) ?? patterns.find((p) => matchesRoute(p, path));
}

/** Opens every page as each role (and the world's extra form pages) and reads their forms into targets. */
async function collectTargets(): Promise<void> {
  const posts = routesOf(app, 'post').filter((p) => !SWITCH_ROUTES.test(p));
  const gets = routesOf(app, 'get').filter((p) => !SWITCH_ROUTES.test(p));
  const postFields = new Map<string, Record<string, string>>();
  const queryNames = new Map<string, Set<string>>(gets.map((p) => [p, new Set(COMMON_QUERY)]));
  const visits: Array<{ role: Role; path: string; post?: Record<string, string> }> = [...world.formPages];
  for (const role of ROLES) {
    for (const pattern of gets) {
      const owner = ownerOf(pattern);
      // Exports have no forms; they take their list's filters.
      if ((owner === 'any' || owner === role) && !pattern.endsWith('.csv')) visits.push({ role, path: pagePath(pattern) });
    }
  }
  for (const { role, path, post } of visits) {
    const { agent, token } = sessions[role];
    // A preview is the answer to the page's own form, filled in with the world's values.
    const own = post ? formsOf((await agent.get(path)).text, path).find((f) => f.method === 'post' && f.action === path) : undefined;
    const response = post ? await agent.post(path).type('form').send({ ...own?.fields, ...post, _csrf: token }) : await agent.get(path);
    if (!String(response.headers['content-type']).includes('text/html')) continue;
    const bare = path.split('?')[0]!;
    if (!post) pages.set(`${role} ${path}`, response.text);
    const page = routeFor(gets, bare);
    if (page && !post) for (const name of linkQueryNames(response.text, bare)) queryNames.get(page)!.add(name);
    for (const form of formsOf(response.text, bare)) {
      if (form.method === 'get') {
        const route = routeFor(gets, form.action);
        for (const name of Object.keys(form.fields)) {
          if (route) queryNames.get(route)!.add(name);
          // An export takes the filters of its list.
          queryNames.get(`${route}/export.csv`)?.add(name);
        }
      } else {
        const route = routeFor(posts, form.action);
        if (route) postFields.set(route, { ...postFields.get(route), ...form.fields });
      }
    }
  }
  for (const pattern of gets) targets.push({ method: 'get', pattern, owner: ownerOf(pattern), fields: Object.fromEntries([...queryNames.get(pattern)!].map((n) => [n, ''])) });
  for (const pattern of posts) {
    const fields = postFields.get(pattern) ?? (pattern in POSTS_WITHOUT_FORM ? {} : undefined);
    if (fields) targets.push({ method: 'post', pattern, owner: ownerOf(pattern), fields: Object.fromEntries(Object.entries(fields).filter(([n]) => n !== '_csrf')) });
  }
}

beforeAll(async () => {
  db = database.current.db;
  world = await buildWorld(db);
  const config = testConfig({ LOGIN_MAX_ATTEMPTS: '1000000' });
  app = createApp({ db, config, logger: log.logger, now: () => NOW });
  for (const role of ROLES) sessions[role] = await openSession(app, role);
  await collectTargets();
}, 300_000);

type Body = { kind: 'form'; moves: Partial<Record<string, FieldMove>>; extra: Array<[string, string]> } | { kind: 'json'; overrides: Record<string, unknown> } | { kind: 'none' } | { kind: 'huge'; field: string; value: string };

interface Case {
  role: Role;
  target: Target;
  /** Replaces each path parameter when set: ids that are not ids. */
  badParam: string | null;
  body: Body;
  csrf: 'valid' | 'missing' | 'doubled' | 'wrong';
}

const caseArbitrary = (): fc.Arbitrary<Case> =>
  fc.nat({ max: targets.length - 1 }).chain((index) => {
    const target = targets[index]!;
    const names = Object.keys(target.fields);
    const extraName = fc.oneof(fc.constantFrom(...(names.length ? names : ['x'])), fc.constantFrom('_csrf', '__proto__', 'constructor', 'a[b]', ''), fc.string({ maxLength: 8 }));
    const bodies: Array<fc.WeightedArbitrary<Body>> = [
      { weight: 24, arbitrary: fc.record({ kind: fc.constant('form' as const), moves: fc.record(Object.fromEntries(names.map((n) => [n, fieldMove])), { requiredKeys: [] }), extra: fc.array(fc.tuple(extraName, fuzzText), { maxLength: 2 }) }) },
    ];
    // Only a POST has a body: sent as JSON, left unparsed, or too large (a URL that long is refused by Node).
    if (target.method === 'post') {
      bodies.push(
        { weight: 6, arbitrary: fc.record({ kind: fc.constant('json' as const), overrides: jsonOverrides(names) }) },
        { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), field: fc.constantFrom(...(names.length ? names : ['x'])), value: hugeText }) },
      );
    }
    const body = fc.oneof(...bodies);
    const ownRole = target.owner === 'any' ? fc.constantFrom(...ROLES) : fc.constant(target.owner);
    return fc.record({
      role: fc.oneof({ weight: 5, arbitrary: ownRole }, { weight: 1, arbitrary: fc.constantFrom(...ROLES) }),
      target: fc.constant(target),
      badParam: fc.option(fc.oneof(fuzzText.map(formEncode), fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '%2e%2e', '-1', '0', '99999999999999999999')), { freq: 8 }),
      body,
      csrf: fc.constantFrom('valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'missing', 'doubled', 'wrong'),
    });
  });

function pathOf(c: Case): string {
  const params = paramsFor(world, c.target.pattern);
  return c.badParam === null ? fillRoute(c.target.pattern, params) : c.target.pattern.replace(/:(\w+)/g, () => c.badParam!);
}

function csrfPairs(c: Case, token: string): Array<[string, string]> {
  if (c.target.method === 'get' || c.csrf === 'missing') return [];
  if (c.csrf === 'doubled') return [['_csrf', token], ['_csrf', token]];
  return [['_csrf', c.csrf === 'wrong' ? `${token.slice(1)}x` : token]];
}

/** The request as sent, and a short text of it for the report. */
async function send(c: Case): Promise<{ response: Response; input: string }> {
  const { agent, token } = sessions[c.role];
  const path = pathOf(c);
  const csrf = csrfPairs(c, token);
  const { body } = c;
  let payload: string | undefined;
  let type = 'application/x-www-form-urlencoded';
  if (body.kind === 'json') {
    payload = JSON.stringify({ ...c.target.fields, ...body.overrides, ...Object.fromEntries(csrf) });
    type = 'application/json';
  } else if (body.kind === 'huge') {
    payload = encodePairs([...movePairs(c.target.fields, { [body.field]: { kind: 'set', value: body.value } }, []), ...csrf]);
  } else if (body.kind === 'form') {
    payload = encodePairs([...movePairs(c.target.fields, body.moves, body.extra), ...csrf]);
  }
  const input = `${c.role} ${c.target.method.toUpperCase()} ${path} ${body.kind} ${payload ?? '(no body)'}`;
  if (c.target.method === 'get') {
    const query = body.kind === 'json' || body.kind === 'none' ? '' : payload!;
    return { response: await agent.get(query ? `${path}?${query}` : path).redirects(0), input: `${c.role} GET ${path}?${query}` };
  }
  const post = agent.post(path).redirects(0);
  if (body.kind === 'none') return { response: await post.set('X-CSRF-Token', c.csrf === 'valid' ? token : 'x').set('Content-Type', 'text/plain'), input };
  return { response: await post.set('Content-Type', type).send(payload!), input };
}

const findings = new Findings();
let last: Fingerprint;

async function check(c: Case): Promise<void> {
  const route = `${c.target.method.toUpperCase()} ${c.target.pattern}`;
  findings.cases += 1;
  let sent;
  try {
    sent = await send(c);
  } catch (error) {
    // No answer a client can read (a header too large, say): as bad as a 500.
    findings.add(route, `no readable answer: ${(error as Error).message}`, `${c.role} ${c.target.method} ${pathOf(c)}`);
    last = await fingerprint(db);
    return;
  }
  const { response, input } = sent;
  if (response.status >= 500) {
    findings.serverErrors += 1;
    findings.add(route, `${response.status}: ${log.takeLastError() ?? '(nothing logged)'}`, input);
  }
  const now = await fingerprint(db);
  if (response.status >= 400) {
    const changed = changedTables(last, now);
    if (changed.length > 0) findings.add(route, `refused with ${response.status} but changed ${changed.join(', ')}`, input);
  }
  last = now;
  if (String(response.headers['content-type']).includes('html')) {
    const marker = unescapedMarker(response.text);
    if (marker) findings.add(route, `shows ${marker} unescaped`, input);
  }
  // A post that ended the session (logout, a new password): start a new one for the next cases.
  if (c.role !== 'anonymous' && response.status === 302 && String(response.headers.location).startsWith('/login')) {
    sessions[c.role] = await openSession(app, c.role);
    last = await fingerprint(db);
  }
}

describe('fuzz over every page route', () => {
  it('when the routes are listed, then every form route has a form on some page', () => {
    const covered = new Set(targets.filter((t) => t.method === 'post').map((t) => t.pattern));
    const missing = routesOf(app, 'post').filter((p) => !SWITCH_ROUTES.test(p) && !covered.has(p));
    expect(missing, 'no page has a form for these routes: open the page in world.ts or list them in POSTS_WITHOUT_FORM').toEqual([]);
  });

  it('when generated values are sent to every form and filter, then no 500, no change on refusal and no unescaped markup', async () => {
    const startedAt = Date.now();
    last = await fingerprint(db);
    await fc.assert(fc.asyncProperty(caseArbitrary(), async (c) => {
      await check(c);
      findings.progress('routes', startedAt);
    }), { seed: settings.seed, numRuns: settings.runs, endOnFailure: true });
    console.log(findings.report('routes', startedAt));
    expect(findings.list()).toEqual([]);
  }, 60_000 + settings.runs * 500);

  it('when the fuzzing is over, then every page still shows what was stored escaped', async () => {
    const shown: string[] = [];
    for (const key of pages.keys()) {
      const [role, path] = key.split(' ') as [Role, string];
      const response = await sessions[role].agent.get(path);
      const marker = unescapedMarker(response.text);
      if (marker) shown.push(`${key}: ${marker}`);
      if (response.status >= 500) shown.push(`${key}: ${response.status} ${log.takeLastError() ?? ''}`);
    }
    expect(shown).toEqual([]);
  }, 120_000);
});
