// Reports over a small dataset built through the real charging paths (purchases post the fees,
// the FreeSWITCH CDR endpoint charges the calls), so the rollups the reports read are the ones
// the triggers keep: exact sums per grouping, tenancy, CSV, and rollups equal to their sources.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { purchaseDid } from '../../src/services/purchases.ts';
import { postLedgerEntry } from '../../src/db/ledger-writer.ts';
import { compactReportRollups } from '../../src/services/report-rollups.ts';
import { createTestApp, testPricing } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeDid, makeOwnedDid, makeProvider, makeSwitch } from '../helpers/factories.ts';
import { loginAs, type Agent } from '../helpers/login.ts';
import { freeswitchCdr, postFreeswitchCdr } from '../helpers/switch.ts';

const NOW = new Date('2026-11-20T10:00:00Z');
const RANGE = 'from=2026-11-01&to=2026-11-20';
const database = useTestDatabase();
let db: Knex;
let app: Express;
let admin: AccountRow;
let reseller: AccountRow;
let otherReseller: AccountRow;
let direct: AccountRow;
let customer: AccountRow;
const dids: Record<string, { id: number; number: string }> = {};
const providers: Record<string, { id: number; name: string }> = {};

const at = (day: string) => new Date(`2026-${day}T12:00:00Z`);
const buy = (buyer: AccountRow, productId: number, now: Date) =>
  purchaseDid(db, { pricing: testPricing(), buyerId: buyer.id, productId, idempotencyKey: randomUUID(), now, actorId: buyer.id });

/** A CSV export as rows of cells keyed by the header (cells are plain: no commas in this data). */
async function csv(agent: Agent, path: string): Promise<Array<Record<string, string>>> {
  const response = await agent.get(path);
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toContain('text/csv');
  const [header, ...lines] = response.text.trim().split('\n');
  const columns = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i]!, cell])));
}

const byKey = (rows: Array<Record<string, string>>) => Object.fromEntries(rows.map((row) => [row.key ?? row.country, row]));
const money = (row: Record<string, string> | undefined) => row && { calls: row.calls, revenue: row.revenue, cost: row.cost, margin: row.margin };

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => NOW });
  admin = await makeAccount(db, { role: 'admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '1000' });
  otherReseller = await makeAccount(db, { role: 'reseller', parent: admin, balance: '1000' });
  direct = await makeAccount(db, { role: 'customer', parent: admin, balance: '100' });
  customer = await makeAccount(db, { role: 'customer', parent: reseller, balance: '100' });
  providers.alpha = await makeProvider(db, `Alpha ${randomUUID().slice(0, 6)}`);
  providers.beta = await makeProvider(db, `Beta ${randomUUID().slice(0, 6)}`);
  const { token } = await makeSwitch(db, { admin });

  // Each number: setup 1.00 + first period 2.00 from the admin (makeDid's terms); buy cost 0.40, B's 0.25.
  dids.a = await makeDid(db, { provider_id: providers.alpha.id });
  dids.g = await makeDid(db, { provider_id: providers.alpha.id });
  dids.b = await makeDid(db, { provider_id: providers.beta.id, country: 'CA', buy_cost: '0.25' });
  dids.e = await makeDid(db, { provider_id: providers.alpha.id });
  dids.f = await makeDid(db, { provider_id: providers.beta.id, hold_id: 1, hold_account_id: direct.id, held_until: new Date('2026-11-21T00:00:00Z') });
  await buy(reseller, dids.a.id, at('11-03'));
  await buy(reseller, dids.g.id, at('11-03'));
  await buy(direct, dids.b.id, at('11-05'));
  await buy(otherReseller, dids.e.id, at('11-06'));
  // The reseller's own prices for A: setup 0.50, 5.00 a period, calls 0.20 + 1.20/min in whole minutes.
  await db('reseller_prices')
    .insert({ product_id: dids.a.id, reseller_id: reseller.id, setup_fee: '0.50', monthly_fee: '5.00', connection_cost: '0.20', grace_seconds: 0, cost_per_minute: '1.20', initial_increment: 60, increment: 60 })
    .onConflict(['product_id', 'reseller_id']).merge();
  await buy(customer, dids.a.id, at('11-04'));
  await db('products').whereIn('id', [dids.a.id, dids.b.id]).update({ destination_type: 'sip_uri', destination: 'sip:office@pbx.example.com' });
  // October: two period fees of 10.00 and 9.00 (the order by revenue must be by amount, not by text).
  for (const [account, did, amount] of [[otherReseller, dids.e, '-10'], [reseller, dids.g, '-9']] as const) {
    const subscription = (await db('subscriptions').where({ product_id: did.id, account_id: account.id }).first('id')) as { id: number };
    await db.transaction((trx) => postLedgerEntry(trx, {
      accountId: account.id, amount, kind: 'recurring_fee', description: 'October', idempotencyKey: `october:${did.id}`,
      referenceType: 'subscription', referenceId: subscription.id, now: at('10-15'),
    }));
  }
  // A direct customer's number with no call at all: idle.
  dids.h = await makeOwnedDid(db, { owner: direct, provider_id: providers.beta.id, country: 'CA' });

  const start = Date.parse('2026-11-19T12:00:00Z') / 1000;
  for (const [number, billsec] of [[dids.a.number, 125], [dids.a.number, 0], [dids.b.number, 71]] as const) {
    const response = await postFreeswitchCdr(app, token, freeswitchCdr({ uuid: randomUUID(), number, billsec, start }));
    expect(response.body).toMatchObject({ status: 'stored' });
  }
});

describe('the operator\'s reports', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await loginAs(app, admin.email);
  });

  it('when the admin reads revenue per reseller, then each tree has what the operator charged it and the providers\' cost of its numbers', async () => {
    const rows = byKey(await csv(agent, `/admin/reports/export.csv?report=reseller&${RANGE}`));
    // The reseller: A and G (3.00 each) and its share of the 125 s call on A (1.30 at the product's terms).
    expect(money(rows[String(reseller.id)])).toEqual({ calls: '2', revenue: '7.3000', cost: '0.8000', margin: '6.5000' });
    expect(money(rows[String(otherReseller.id)])).toEqual({ calls: '0', revenue: '3.0000', cost: '0.4000', margin: '2.6000' });
    // The direct customer: B (3.00) and its 71 s call (0.76).
    expect(money(rows.direct)).toEqual({ calls: '1', revenue: '3.7600', cost: '0.2500', margin: '3.5100' });
  });

  it('when the admin reads per day, month, provider, country and number, then each adds up to the same 14.06 of revenue', async () => {
    const days = byKey(await csv(agent, `/admin/reports/export.csv?report=day&${RANGE}`));
    expect(Object.keys(days)).toHaveLength(20);
    expect(days['2026-11-03']?.revenue).toBe('6.0000');
    expect(days['2026-11-05']?.revenue).toBe('3.0000');
    expect(days['2026-11-19']).toMatchObject({ calls: '3', revenue: '2.0600', cost: '0.0000' });
    expect(days['2026-11-10']?.revenue).toBe('0.0000');
    expect(money(byKey(await csv(agent, `/admin/reports/export.csv?report=month&${RANGE}`))['2026-11'])).toEqual({ calls: '3', revenue: '14.0600', cost: '1.4500', margin: '12.6100' });
    const perProvider = byKey(await csv(agent, `/admin/reports/export.csv?report=provider&${RANGE}`));
    expect(money(perProvider[String(providers.alpha!.id)])).toEqual({ calls: '2', revenue: '10.3000', cost: '1.2000', margin: '9.1000' });
    expect(perProvider[String(providers.alpha!.id)]?.name).toBe(providers.alpha!.name);
    expect(money(perProvider[String(providers.beta!.id)])).toEqual({ calls: '1', revenue: '3.7600', cost: '0.2500', margin: '3.5100' });
    const perCountry = byKey(await csv(agent, `/admin/reports/export.csv?report=country&${RANGE}`));
    expect(perCountry.US?.revenue).toBe('10.3000');
    expect(perCountry.CA?.revenue).toBe('3.7600');
    const perNumber = await csv(agent, `/admin/reports/export.csv?report=number&${RANGE}`);
    expect(perNumber.map((row) => [row.name, row.revenue])).toEqual([
      [dids.a!.number, '4.3000'], [dids.b!.number, '3.7600'], [dids.g!.number, '3.0000'], [dids.e!.number, '3.0000'],
    ]);
  });

  it('when filters are given, then only the matching rows count, and a range before the charges is empty', async () => {
    const filtered = byKey(await csv(agent, `/admin/reports/export.csv?report=month&${RANGE}&reseller=${reseller.id}&provider=${providers.alpha!.id}`));
    expect(money(filtered['2026-11'])).toEqual({ calls: '2', revenue: '7.3000', cost: '0.8000', margin: '6.5000' });
    expect(await csv(agent, `/admin/reports/export.csv?report=country&from=2026-09-01&to=2026-09-30`)).toEqual([]);
    const october = 'from=2026-10-01&to=2026-10-31';
    expect((await csv(agent, `/admin/reports/export.csv?report=number&${october}`)).map((row) => [row.name, row.revenue])).toEqual([[dids.e!.number, '10.0000'], [dids.g!.number, '9.0000']]);
    expect((await csv(agent, `/admin/reports/export.csv?report=reseller&${october}`)).map((row) => [row.key, row.revenue])).toEqual([[String(otherReseller.id), '10.0000'], [String(reseller.id), '9.0000']]);
    const page = await agent.get(`/admin/reports?report=country&${RANGE}&country=CA`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-chart="chart-report"');
    expect(page.text).toMatch(/<tr data-key="CA">[\s\S]*?data-col="revenue">\$3\.7600</);
    expect(page.text).not.toContain('<tr data-key="US">');
  });

  it('when the admin reads utilisation, then stock, holds, owned and idle numbers are counted', async () => {
    const rows = byKey(await csv(agent, `/admin/reports/export.csv?report=utilisation&provider=${providers.beta!.id}`));
    expect(rows.total).toMatchObject({ numbers: '3', in_stock: '1', reseller_stock: '0', on_hold: '1', owned: '2', idle_30_days: '1' });
    const all = byKey(await csv(agent, '/admin/reports/export.csv?report=utilisation'));
    expect(Number(all.total?.numbers)).toBeGreaterThanOrEqual(6);
  });

  it('when a filter is wrong, then the page says so at its field with 400 and still shows the report', async () => {
    const response = await agent.get(`/admin/reports?report=day&from=2026-11-10&to=2026-11-01`);
    expect(response.status).toBe(400);
    expect(response.text).toContain('The end date is before the start date');
    expect(response.text).toContain('data-chart="chart-report"');
  });
});

describe('a reseller\'s reports', () => {
  it('when a reseller reads its reports, then revenue is what its customers paid, cost what it paid, and nothing of other trees', async () => {
    const agent = await loginAs(app, reseller.email);
    const month = byKey(await csv(agent, `/reseller/reports/export.csv?report=month&${RANGE}`));
    // The customer: 0.50 + 5.00 for A, 3.80 for the 125 s call (180 s billed at 1.20 + 0.20). The reseller: 6.00 + 1.30.
    expect(money(month['2026-11'])).toEqual({ calls: '2', revenue: '9.3000', cost: '7.3000', margin: '2.0000' });
    const numbers = await csv(agent, `/reseller/reports/export.csv?report=number&${RANGE}`);
    expect(numbers.map((row) => [row.name, row.revenue, row.cost])).toEqual([[dids.a!.number, '9.3000', '4.3000'], [dids.g!.number, '0.0000', '3.0000']]);
    const usage = byKey(await csv(agent, `/reseller/reports/export.csv?report=utilisation&reseller=${otherReseller.id}`));
    expect(usage.total).toMatchObject({ numbers: '2', reseller_stock: '1', owned: '1', idle_30_days: '0' });
    expect((await agent.get('/reseller/reports?report=reseller')).status).toBe(404);
    const page = await agent.get(`/reseller/reports?report=provider&${RANGE}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(providers.beta!.name + '</th>');
  });

  it('when a customer asks for reports, then there is no such page', async () => {
    const agent = await loginAs(app, customer.email);
    expect((await agent.get('/customer/reports')).status).toBe(404);
    expect([403, 404]).toContain((await agent.get('/admin/reports')).status);
    expect([403, 404]).toContain((await agent.get('/reseller/reports/export.csv?report=day')).status);
  });
});

describe('the rollups', () => {
  const sums = async () => {
    const result = (await db.raw(`
      SELECT (SELECT coalesce(sum(call_amount), 0)::numeric(20,6)::text FROM report_number_days) AS number_calls,
             (SELECT coalesce(sum(call_amount), 0)::numeric(20,6)::text FROM report_cube_days WHERE level = 1) AS account_calls,
             (SELECT coalesce(sum(cost), 0)::numeric(20,6)::text FROM call_charges) AS source_calls,
             (SELECT coalesce(sum(fee_amount), 0)::numeric(20,6)::text FROM report_number_days) AS number_fees,
             (SELECT coalesce(sum(fee_amount), 0)::numeric(20,6)::text FROM report_cube_days WHERE level = 7) AS account_fees,
             (SELECT coalesce(-sum(amount), 0)::numeric(20,6)::text FROM ledger_entries
               WHERE reference_type = 'subscription' AND kind IN ('setup_fee', 'recurring_fee', 'refund')) AS source_fees,
             (SELECT coalesce(sum(calls), 0)::int FROM report_number_days) AS rollup_charges,
             (SELECT count(*)::int FROM call_charges) AS source_charges`)) as { rows: Array<Record<string, string | number>> };
    return result.rows[0]!;
  };
  const snapshot = async (table: string) => db(table).select('*').orderByRaw('1, 2, 3, 4, 5, 6');
  const sumsOf = async () => (await db.raw(`
    SELECT day, level, operator_sale, reseller_id, provider_id, country, sum(calls)::int AS calls,
           sum(call_amount + fee_amount)::numeric(20,6)::text AS amount, sum(provider_cost)::numeric(20,6)::text AS provider_cost
      FROM report_cube_days GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`) as { rows: unknown[] }).rows;

  it('when calls and fees have been charged, then the rollups hold exactly the sums of their source rows', async () => {
    const s = await sums();
    expect(s.number_calls).toBe(s.source_calls);
    expect(s.account_calls).toBe(s.source_calls);
    expect(s.number_fees).toBe(s.source_fees);
    expect(s.account_fees).toBe(s.source_fees);
    expect(s.rollup_charges).toBe(s.source_charges);
    expect(Number(s.source_calls)).toBeGreaterThan(0);
  });

  it('when the new rows are compacted, then each key has one row and every sum is unchanged', async () => {
    const before = await sumsOf();
    expect(await db('report_cube_days').where({ compacted: false }).count({ n: '*' }).first()).not.toEqual({ n: 0 });
    expect(await compactReportRollups(db)).toBeGreaterThan(0);
    expect(await sumsOf()).toEqual(before);
    expect(Number((await db('report_cube_days').where({ compacted: false }).count({ n: '*' }).first())?.n)).toBe(0);
    expect(await compactReportRollups(db)).toBe(0);
  });

  it('when the rollups are rebuilt from the source rows, then they come out the same', async () => {
    const before = [await snapshot('report_number_days'), await snapshot('report_cube_days')];
    await db.transaction((trx) => trx.raw('SELECT rebuild_report_rollups(NULL, NULL)'));
    expect([await snapshot('report_number_days'), await snapshot('report_cube_days')]).toEqual(before);
    await db.transaction((trx) => trx.raw("SELECT rebuild_report_rollups('2026-11-19', '2026-11-19')"));
    expect([await snapshot('report_number_days'), await snapshot('report_cube_days')]).toEqual(before);
  });
});
