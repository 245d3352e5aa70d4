import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { recordCdrs } from '../../src/services/cdr-charging.ts';
import { refreshPlanTerms } from '../../src/db/repos/plan-numbers.ts';
import { assignPlanToDids } from '../../src/services/plan-numbers.ts';
import { createPlan, revisePlan } from '../helpers/rate-plans.ts';
import { commitImport, previewImport, storeImport } from '../../src/services/did-import.ts';
import { formatDidNumber } from '../../src/domain/did-terms.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeOwnedDid, makeProvider } from '../helpers/factories.ts';
import { loginAs, postForm } from '../helpers/login.ts';

const database = useTestDatabase();
const T0 = new Date('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;
let clock = T0;
let app: Express;
let admin: AccountRow;
let reseller: AccountRow;
let otherReseller: AccountRow;

beforeAll(async () => {
  const db = database.current.db;
  app = createTestApp(db, { now: () => clock });
  admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
  otherReseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '100' });
});

const US_LOCAL = { connection_cost: '0.10', grace_seconds: '10', cost_per_minute: '0.60', initial_increment: '60', increment: '6' };

/** One answered call to `number`, through the CDR service, as the switch reports it. */
async function rateCall(number: string, answeredAt: Date, billsec: number, receivedAt: Date) {
  const cdr = {
    uuid: randomUUID(), number, caller: '+15105550123', startedAt: new Date(answeredAt.getTime() - 4000), answeredAt,
    endedAt: new Date(answeredAt.getTime() + billsec * 1000), durationSeconds: billsec + 4, billsec, hangupCause: 'NORMAL_CLEARING',
  };
  const [outcome] = await recordCdrs(database.current.db, [{ parsed: { ok: true, cdr }, payload: '' }], { source: 'api', switchId: null, now: receivedAt, decimals: 4 });
  if (outcome?.status !== 'stored') throw new Error(`CDR not stored: ${JSON.stringify(outcome)}`);
  return outcome.callId;
}

async function chargesOf(callId: number) {
  return (await database.current.db('call_charges').where({ call_id: callId }).orderBy('level')) as Array<{ level: number; cost: string; terms: Record<string, unknown> }>;
}

describe('plan versions and calls', () => {
  it('when a plan changes from a later moment, then calls answered before it keep the old terms, later ones get the new, and past costs never change', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
    const did = await makeOwnedDid(db, { owner: customer, connection_cost: '0', cost_per_minute: '0', grace_seconds: 0 });
    const created = await createPlan(db, null, { name: 'Versioned', ...US_LOCAL }, { actorId: admin.id, now: T0 });
    await assignPlanToDids(db, created.plan.id, { ids: [did.id] }, { actorId: admin.id, now: T0 });

    const first = await rateCall(did.number, new Date(T0.getTime() + HOUR), 125, new Date(T0.getTime() + HOUR + 200_000));
    expect((await chargesOf(first))[0]).toMatchObject({ cost: '1.300000' });

    // At T0+2h the plan is repriced from T0+1 day.
    const effective = new Date(T0.getTime() + 24 * HOUR);
    const revised = await revisePlan(db, null, created.plan.id, {
      name: 'Versioned', connection_cost: '0.20', grace_seconds: '0', cost_per_minute: '1.20', initial_increment: '60', increment: '60',
      effective: 'later', effective_at: '2026-06-02T00:00',
    }, { actorId: admin.id, now: new Date(T0.getTime() + 2 * HOUR) });
    expect(revised.version.effective_from.toISOString()).toBe(effective.toISOString());

    // Answered before the change but reported after it: the old version.
    const late = await rateCall(did.number, new Date(effective.getTime() - 60_000), 125, new Date(effective.getTime() + HOUR));
    // Answered after the change: the new version. 125 s: 0.20 + 1.20 × 180 / 60.
    const after = await rateCall(did.number, new Date(effective.getTime() + HOUR), 125, new Date(effective.getTime() + 2 * HOUR));

    const [lateCharge] = await chargesOf(late);
    const [afterCharge] = await chargesOf(after);
    const [firstCharge] = await chargesOf(first);
    expect(lateCharge).toMatchObject({ cost: '1.300000' });
    expect(afterCharge).toMatchObject({ cost: '3.800000' });
    expect(firstCharge).toMatchObject({ cost: '1.300000' });
    expect(firstCharge!.terms).toMatchObject({ source: 'rate_plan', rate_plan_id: created.plan.id, rate_plan_version_id: created.version.id, cost_per_minute: '0.600000' });
    expect(lateCharge!.terms).toMatchObject({ rate_plan_version_id: created.version.id });
    expect(afterCharge!.terms).toMatchObject({ source: 'rate_plan', rate_plan_id: created.plan.id, rate_plan_version_id: revised.version.id, connection_cost: '0.200000', cost_per_minute: '1.200000' });
    const calls = (await db('calls').whereIn('id', [first, late, after]).orderBy('id').select('cost')) as Array<{ cost: string }>;
    expect(calls.map((c) => c.cost)).toEqual(['1.300000', '1.300000', '3.800000']);

    // The plan's page shows both versions: the later one scheduled until its moment.
    clock = new Date(T0.getTime() + 3 * HOUR);
    const agent = await loginAs(app, admin.email);
    const page = await agent.get(`/admin/rate-plans/${created.plan.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-version="${revised.version.id}" data-state="scheduled"`);
    expect(page.text).toContain(`data-version="${created.version.id}" data-state="current"`);
    clock = new Date(effective.getTime() + HOUR);
    const laterPage = await agent.get(`/admin/rate-plans/${created.plan.id}`);
    expect(laterPage.text).toContain(`data-version="${revised.version.id}" data-state="current"`);
    expect(laterPage.text).toContain(`data-version="${created.version.id}" data-state="past"`);
    clock = T0;
  });
});

describe('terms shown on the numbers', () => {
  it('when a scheduled version takes effect, then the refresh (run with the billing schedule) copies it to the numbers on the plan', async () => {
    const db = database.current.db;
    const did = await makeDid(db, { cost_per_minute: '0.05' });
    const created = await createPlan(db, null, { name: 'Scheduled', ...US_LOCAL }, { actorId: admin.id, now: T0 });
    await assignPlanToDids(db, created.plan.id, { ids: [did.id] }, { actorId: admin.id, now: T0 });
    await revisePlan(db, null, created.plan.id, { name: 'Scheduled', ...US_LOCAL, cost_per_minute: '0.75', effective: 'later', effective_at: '2026-06-10T00:00' }, { actorId: admin.id, now: T0 });
    expect(await db('products').where({ id: did.id }).first()).toMatchObject({ cost_per_minute: '0.600000' });
    await refreshPlanTerms(db, new Date('2026-06-09T23:59:59Z'));
    expect(await db('products').where({ id: did.id }).first()).toMatchObject({ cost_per_minute: '0.600000' });
    await refreshPlanTerms(db, new Date('2026-06-10T00:00:00Z'));
    expect(await db('products').where({ id: did.id }).first()).toMatchObject({ cost_per_minute: '0.750000' });
  });
});

describe('admin plans through the pages', () => {
  it('when the admin creates a plan with bad terms or a taken name, then the form comes back with one message per field', async () => {
    const agent = await loginAs(app, admin.email);
    const bad = await postForm(agent, '/admin/rate-plans', { name: '', description: '', connection_cost: '-1', grace_seconds: '0', cost_per_minute: 'abc', initial_increment: '60', increment: '60' }, '/admin/rate-plans/new');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Enter the plan’s name');
    expect(bad.text).toContain('Must not be negative');
    expect(bad.text).toContain('&#34;abc&#34; is not an amount');
    // The fields say what is wrong; the cost preview adds no second message about them.
    expect(bad.text).toContain('<p class="muted" data-preview-message hidden></p>');
    const onlyRate = await postForm(agent, '/admin/rate-plans', { name: 'Rate only', ...US_LOCAL, cost_per_minute: 'abc' }, '/admin/rate-plans/new');
    expect(onlyRate.status).toBe(400);
    expect(onlyRate.text).toContain('<small class="error" id="e-cost_per_minute">&#34;abc&#34; is not an amount');
    expect(onlyRate.text).toContain('<p class="muted" data-preview-message hidden></p>');
    expect(onlyRate.text).not.toMatch(/Costs show once|to see the costs/);
    const ok = await postForm(agent, '/admin/rate-plans', { name: 'UK geographic', description: 'London and regions', ...US_LOCAL }, '/admin/rate-plans/new');
    expect(ok.status).toBe(303);
    const again = await postForm(agent, '/admin/rate-plans', { name: 'uk GEOGRAPHIC', ...US_LOCAL }, '/admin/rate-plans/new');
    expect(again.status).toBe(400);
    expect(again.text).toContain('You have a plan of that name already');
    const page = await agent.get(ok.headers.location!);
    expect(page.text).toContain('$0.6000/min, 10 s grace');
    expect(page.text).toContain('data-cost-preview');
  });

  it('when the admin assigns a plan to the numbers a filter matches, then exactly those numbers take its terms and the list counts them', async () => {
    const db = database.current.db;
    const matched = await Promise.all([1, 2, 3].map(() => makeDid(db, { city: 'Plansville', cost_per_minute: '0.05' })));
    const untouched = await makeDid(db, { city: 'Elsewhere', cost_per_minute: '0.05' });
    const agent = await loginAs(app, admin.email);
    const created = await postForm(agent, '/admin/rate-plans', { name: 'Toll-free premium', ...US_LOCAL, cost_per_minute: '0.0125' }, '/admin/rate-plans/new');
    const planId = Number(created.headers.location!.split('/').pop());

    const confirm = await agent.get('/admin/rate-plans/assign?city=Plansville');
    expect(confirm.status).toBe(200);
    expect(confirm.text).toMatch(/data-assign-count><strong>3<\/strong> numbers\s+match the filters/);
    const assigned = await postForm(agent, '/admin/rate-plans/assign', { city: 'Plansville', plan: String(planId) }, '/admin/rate-plans/assign?city=Plansville');
    expect(assigned.status).toBe(303);

    const rows = (await db('products').whereIn('id', [...matched.map((d) => d.id), untouched.id]).orderBy('id')) as Array<{ id: number; rate_plan_id: number | null; cost_per_minute: string }>;
    expect(rows.filter((r) => r.id !== untouched.id).every((r) => r.rate_plan_id === planId && r.cost_per_minute === '0.012500')).toBe(true);
    expect(rows.find((r) => r.id === untouched.id)).toMatchObject({ rate_plan_id: null, cost_per_minute: '0.050000' });

    const list = await agent.get('/admin/rate-plans');
    expect(list.text).toMatch(new RegExp(`data-plan="Toll-free premium">[\\s\\S]*?data-number-count><a href="/admin/rate-plans/${planId}/numbers">3</a>`));

    const numbers = await agent.get(`/admin/rate-plans/${planId}/numbers`);
    expect(numbers.text).toMatch(/<strong>3<\/strong> numbers/);
    for (const did of matched) expect(numbers.text).toContain(`data-number="${did.number}"`);
    expect(numbers.text).not.toContain(`data-number="${untouched.number}"`);
    const ticked = await agent.get(`/admin/rate-plans/assign?ids=${matched[0]!.id}`);
    expect(ticked.text).toMatch(/data-assign-count><strong>1<\/strong> number/);
    expect(ticked.text).toContain(`The numbers: ${formatDidNumber(matched[0]!.number)}.`);

    // Ticked numbers: only those, whatever filters came with them.
    await postForm(agent, '/admin/rate-plans/assign', { city: 'Plansville', ids: String(matched[0]!.id), plan: 'custom' }, '/admin/rate-plans/assign');
    const back = (await db('products').where({ id: matched[0]!.id }).first()) as { rate_plan_id: number | null };
    expect(back.rate_plan_id).toBeNull();
    expect(Number(((await db('products').where({ rate_plan_id: planId }).count({ n: '*' }).first()) as { n: string | number }).n)).toBe(2);
  });
});

describe('the DID form and page', () => {
  it('when the admin creates and edits a DID on a rate plan, then its terms are the plan’s, shown read-only, and custom terms take it off the plan', async () => {
    const db = database.current.db;
    const provider = await makeProvider(db);
    const plan = await createPlan(db, null, { name: 'Form plan', ...US_LOCAL, cost_per_minute: '0.0333' }, { actorId: admin.id, now: T0 });
    const agent = await loginAs(app, admin.email);
    const form = await agent.get('/admin/dids/new');
    expect(form.text).toContain('data-rate-plan-select');
    expect(form.text).toContain('>Form plan</option>');
    const created = await postForm(agent, '/admin/dids', {
      category: 'did', number: '+442079460777', provider: String(provider.id), country: 'GB', city: 'London', province: '', buy_cost: '0.5',
      status: 'active', rate_plan: String(plan.plan.id), connection_cost: '9', grace_seconds: '9', cost_per_minute: '9', initial_increment: '9', increment: '9',
      setup_fee: '1', monthly_fee: '2', call_timeout: '30', billing_type: 'recurring', billing_days: '30', concurrent_calls: '0',
    }, '/admin/dids/new');
    expect(created.status).toBe(302);
    const row = (await db('products').where({ number: '+442079460777' }).first()) as Record<string, unknown>;
    expect(row).toMatchObject({ rate_plan_id: plan.plan.id, cost_per_minute: '0.033300', connection_cost: '0.100000', grace_seconds: 10, increment: 6 });

    const page = await agent.get(created.headers.location!);
    expect(page.text).toMatch(/data-rate-plan><a href="\/admin\/rate-plans\/\d+">Form plan<\/a>/);
    const edit = await agent.get(`${created.headers.location!}/edit`);
    expect(edit.text).toMatch(new RegExp(`<option value="${plan.plan.id}" selected>Form plan</option>`));
    expect(edit.text).toMatch(/name="cost_per_minute" type="text" value="0.033300" inputmode="decimal" data-rate-term readonly/);

    const custom = await postForm(agent, created.headers.location!, {
      category: 'did', provider: String(provider.id), country: 'GB', city: 'London', province: '', buy_cost: '0.5', status: 'active', rate_plan: '',
      connection_cost: '0', grace_seconds: '0', cost_per_minute: '0.05', initial_increment: '60', increment: '60',
      setup_fee: '1', monthly_fee: '2', call_timeout: '30', billing_type: 'recurring', billing_days: '30', concurrent_calls: '0',
    }, `${created.headers.location!}/edit`);
    expect(custom.status).toBe(302);
    expect(await db('products').where({ number: '+442079460777' }).first()).toMatchObject({ rate_plan_id: null, cost_per_minute: '0.050000' });
  });
});

describe('archiving', () => {
  it('when a plan is archived, then it leaves the list and the choices for new numbers, while numbers on it keep it', async () => {
    const db = database.current.db;
    const plan = await createPlan(db, null, { name: 'Retired plan', ...US_LOCAL }, { actorId: admin.id, now: T0 });
    const did = await makeDid(db);
    await assignPlanToDids(db, plan.plan.id, { ids: [did.id] }, { actorId: admin.id, now: T0 });
    const agent = await loginAs(app, admin.email);
    const archived = await postForm(agent, `/admin/rate-plans/${plan.plan.id}/archive`, {}, `/admin/rate-plans/${plan.plan.id}`);
    expect(archived.status).toBe(303);
    expect((await agent.get(archived.headers.location!)).text).toContain('Retired plan is archived');
    expect((await agent.get('/admin/rate-plans')).text).not.toContain('Retired plan');
    expect((await agent.get('/admin/rate-plans?archived=only')).text).toContain('Retired plan');
    expect((await agent.get('/admin/dids/new')).text).not.toContain('Retired plan');
    expect((await agent.get(`/admin/dids/${did.id}/edit`)).text).toContain(`<option value="${plan.plan.id}" selected>Retired plan (archived)</option>`);
    const refused = await postForm(agent, '/admin/rate-plans/assign', { ids: String(did.id), plan: String(plan.plan.id) }, '/admin/rate-plans/assign');
    expect(refused.status).toBe(400);
    expect((await db('products').where({ id: did.id }).first()).rate_plan_id).toBe(plan.plan.id);
    await postForm(agent, `/admin/rate-plans/${plan.plan.id}/restore`, {}, `/admin/rate-plans/${plan.plan.id}`);
    expect((await agent.get('/admin/rate-plans')).text).toContain('Retired plan');
  });
});

describe('CSV import and export', () => {
  it('when a CSV names a rate plan, then the rows take its terms and the export names it back; an unknown plan is an invalid row', async () => {
    const db = database.current.db;
    const provider = await makeProvider(db, 'CSV Carrier');
    const plan = await createPlan(db, null, { name: 'CSV plan', ...US_LOCAL, cost_per_minute: '0.0444' }, { actorId: admin.id, now: T0 });
    const content = [
      'number,provider,country,cost_per_minute,rate_plan',
      '+442079460881,CSV Carrier,GB,0.9,CSV plan',
      '+442079460882,CSV Carrier,GB,0.05,',
      '+442079460883,CSV Carrier,GB,0.05,No such plan',
    ].join('\n');
    const preview = await previewImport(db, content, {});
    expect(preview.ignoredColumns).toEqual([]);
    expect(preview.invalid).toEqual([{ line: 4, number: '+442079460883', reasons: ['Rate plan: unknown or archived plan "No such plan"'] }]);
    const id = await storeImport(db, { actorId: admin.id, filename: 'plans.csv', content, defaults: {}, now: T0 });
    expect(await commitImport(db, id, { actorId: admin.id, now: T0 })).toEqual({ imported: 2, invalid: 1 });
    const rows = (await db('products').whereIn('number', ['+442079460881', '+442079460882']).orderBy('number')) as Array<Record<string, unknown>>;
    expect(rows[0]).toMatchObject({ rate_plan_id: plan.plan.id, cost_per_minute: '0.044400' });
    expect(rows[1]).toMatchObject({ rate_plan_id: null, cost_per_minute: '0.050000' });

    const agent = await loginAs(app, admin.email);
    const csv = await agent.get(`/admin/dids/export.csv?provider=${provider.id}`);
    const [header, ...lines] = csv.text.trim().split('\n');
    const column = header!.split(',').indexOf('rate_plan');
    expect(column).toBeGreaterThan(0);
    expect(lines.map((line) => line.split(',')[column])).toEqual(['CSV plan', '']);
  });
});

describe('reseller plans', () => {
  it('when a reseller applies a markup plan, then its sell terms are the buy terms marked up exactly, and its customer’s calls are rated at them', async () => {
    const db = database.current.db;
    const customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '50' });
    const did = await makeOwnedDid(db, {
      owner: customer, reseller, connection_cost: '0.0123', grace_seconds: 6, cost_per_minute: '0.0085', initial_increment: 30, increment: 6,
    });
    const agent = await loginAs(app, reseller.email);
    const created = await postForm(agent, '/reseller/rate-plans', {
      kind: 'markup', name: 'Resale +12.5%', connection_markup_percent: '10', connection_markup_amount: '0.0001',
      per_minute_markup_percent: '12.5', per_minute_markup_amount: '0.001',
    }, '/reseller/rate-plans/new?kind=markup');
    expect(created.status).toBe(303);
    const planId = Number(created.headers.location!.split('/').pop());

    const preview = await agent.get(`/reseller/rate-plans/${planId}/apply`);
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(new RegExp(`data-number="\\${did.number}"[\\s\\S]*?data-sell-per-minute>\\$0.0106<`));
    const applied = await postForm(agent, `/reseller/rate-plans/${planId}/apply`, { ids: String(did.id), scope: 'selected' }, `/reseller/rate-plans/${planId}/apply`);
    expect(applied.status).toBe(303);

    const price = (await db('reseller_prices').where({ product_id: did.id, reseller_id: reseller.id }).first()) as Record<string, unknown>;
    expect(price).toMatchObject({ rate_plan_id: planId, connection_cost: '0.013630', cost_per_minute: '0.010563', grace_seconds: 6, initial_increment: 30, increment: 6 });

    // 125 s with 6 s grace, 30 s first block, 6 s steps: 120 s billed.
    const callId = await rateCall(did.number, new Date(), 125, new Date());
    const [owner, above] = await chargesOf(callId);
    expect(owner).toMatchObject({ cost: '0.034800' }); // 0.013630 + 0.010563 × 2 = 0.034756
    expect(owner!.terms).toMatchObject({ source: 'rate_plan', rate_plan_id: planId, connection_cost: '0.013630', cost_per_minute: '0.010563' });
    expect(above).toMatchObject({ cost: '0.029300' }); // the reseller pays its buy terms: 0.0123 + 0.0085 × 2
  });

  it('when a reseller picks a plan for one number, then it sees that number’s margin first, and applying it puts the number on the plan', async () => {
    const db = database.current.db;
    const did = await makeOwnedDid(db, { owner: reseller, connection_cost: '0.01', cost_per_minute: '0.02' });
    const plan = await createPlan(db, reseller.id, { name: 'One by one', ...US_LOCAL, connection_cost: '0', cost_per_minute: '0.015' }, { actorId: reseller.id, now: T0 });
    const agent = await loginAs(app, reseller.email);
    const numberPage = await agent.get(`/reseller/dids/${did.id}`);
    expect(numberPage.text).toContain('>One by one</option>');
    const confirm = await agent.get(`/reseller/rate-plans/apply-one?product_id=${did.id}&plan=${plan.plan.id}`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('On this plan the number sells below cost');
    expect(confirm.text).toMatch(/class="num negative">-\$0.0050</);
    const applied = await postForm(agent, '/reseller/rate-plans/apply-one', { product_id: String(did.id), plan: String(plan.plan.id), back: `/reseller/dids/${did.id}` }, `/reseller/rate-plans/apply-one?product_id=${did.id}&plan=${plan.plan.id}`);
    expect(applied.status).toBe(303);
    expect(applied.headers.location).toBe(`/reseller/dids/${did.id}`);
    expect(await db('reseller_prices').where({ product_id: did.id, reseller_id: reseller.id }).first()).toMatchObject({ rate_plan_id: plan.plan.id, cost_per_minute: '0.015000' });
    expect((await agent.get(`/reseller/dids/${did.id}`)).text).toContain('data-plan>Its per-minute sell terms follow your rate plan <strong>One by one</strong>');
  });

  it('when a reseller’s plan would sell below cost, then the margins are shown and it is saved only once accepted', async () => {
    const db = database.current.db;
    await makeOwnedDid(db, { owner: reseller, cost_per_minute: '0.0085' });
    const agent = await loginAs(app, reseller.email);
    const fields = { kind: 'absolute', name: 'Loss leader', connection_cost: '0', grace_seconds: '0', cost_per_minute: '0.001', initial_increment: '60', increment: '60' };
    const check = await postForm(agent, '/reseller/rate-plans', { ...fields, intent: 'check' }, '/reseller/rate-plans/new');
    expect(check.status).toBe(200);
    expect(check.text).toContain('data-margins');
    expect(check.text).toMatch(/data-negative-count>\d+ would sell below cost/);
    expect(check.text).toContain('class="below-cost"');
    const refused = await postForm(agent, '/reseller/rate-plans', { ...fields, intent: 'save' }, '/reseller/rate-plans/new');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('would sell below cost: check the margins below');
    expect(await db('rate_plans').where({ owner_id: reseller.id, name: 'Loss leader' }).first()).toBeUndefined();
    const saved = await postForm(agent, '/reseller/rate-plans', { ...fields, intent: 'save', accept_below_cost: 'yes' }, '/reseller/rate-plans/new');
    expect(saved.status).toBe(303);
  });

  it('when a reseller asks for another reseller’s plan or the admin’s, then it gets 404 and its list shows only its own', async () => {
    const db = database.current.db;
    const own = await createPlan(db, reseller.id, { name: 'Mine only', ...US_LOCAL }, { actorId: reseller.id, now: T0 });
    const adminPlan = await createPlan(db, null, { name: 'Operator only', ...US_LOCAL }, { actorId: admin.id, now: T0 });
    const foreignNumber = await makeOwnedDid(db, { owner: otherReseller });
    const agent = await loginAs(app, otherReseller.email);

    for (const id of [own.plan.id, adminPlan.plan.id]) {
      expect((await agent.get(`/reseller/rate-plans/${id}`)).status).toBe(404);
      expect((await agent.get(`/reseller/rate-plans/${id}/edit`)).status).toBe(404);
      expect((await agent.get(`/reseller/rate-plans/${id}/apply`)).status).toBe(404);
      expect((await postForm(agent, `/reseller/rate-plans/${id}`, { name: 'Stolen', ...US_LOCAL }, '/reseller/rate-plans/new')).status).toBe(404);
      expect((await postForm(agent, `/reseller/rate-plans/${id}/apply`, { ids: String(foreignNumber.id), scope: 'selected' }, '/reseller/rate-plans/new')).status).toBe(404);
      expect((await postForm(agent, `/reseller/rate-plans/${id}/archive`, {}, '/reseller/rate-plans/new')).status).toBe(404);
      expect((await postForm(agent, '/reseller/rate-plans/apply-one', { product_id: String(foreignNumber.id), plan: String(id) }, '/reseller/rate-plans/new')).status).toBe(404);
    }
    const list = await agent.get('/reseller/rate-plans?archived=include');
    expect(list.text).not.toContain('Mine only');
    expect(list.text).not.toContain('Operator only');
    expect((await db('rate_plans').where({ id: own.plan.id }).first()).name).toBe('Mine only');

    // The owner cannot put its plan on a number it does not hold.
    const ownerAgent = await loginAs(app, reseller.email);
    const refused = await postForm(ownerAgent, `/reseller/rate-plans/${own.plan.id}/apply`, { ids: String(foreignNumber.id), scope: 'selected' }, `/reseller/rate-plans/${own.plan.id}/apply`);
    expect(refused.status).toBe(303);
    expect(await db('reseller_prices').where({ product_id: foreignNumber.id, reseller_id: reseller.id }).first()).toBeUndefined();

    // And the admin's pages are the admin's.
    expect((await agent.get('/admin/rate-plans')).status).not.toBe(200);
  });
});
