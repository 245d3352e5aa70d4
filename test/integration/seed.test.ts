import { describe, expect, it } from 'vitest';
import { seedDemo, DEMO_LOGINS, DEMO_PASSWORD } from '../../seeds/demo.ts';
import { authenticate } from '../../src/services/accounts.ts';
import { sendLowBalanceNotices } from '../../src/services/notice-jobs.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { loadCharts } from '../../src/services/dashboard-charts.ts';

const database = useTestDatabase();

describe('demo data', () => {
  it('when seeded into an empty database, then every demo login works and the data is realistic', async () => {
    const { db } = database.current;
    const result = await seedDemo(db, { now: new Date('2026-11-29T12:00:00Z'), bcryptCost: 4, currency: 'EUR' });
    expect(result.seeded).toBe(true);

    for (const login of DEMO_LOGINS) {
      const account = await authenticate(db, login.email, DEMO_PASSWORD, 4, new Date());
      expect(account.role, login.email).toBe(login.role);
    }

    const dids = await db('products').where({ category: 'did' }).select('number', 'country');
    expect(dids.length).toBeGreaterThanOrEqual(40);
    const countries = new Set(dids.map((d: { country: string }) => d.country));
    for (const country of ['US', 'GB', 'DE', 'FR']) expect(countries).toContain(country);
    expect(Number((await db('providers').count({ c: '*' }).first())!.c)).toBe(2);

    const customerOfReseller = await db('accounts').where({ email: 'customer-of-reseller@example.com' }).first();
    const reseller = await db('accounts').where({ email: 'reseller@example.com' }).first();
    expect(customerOfReseller.parent_id).toBe(reseller.id);
    expect(Number((await db('products').where({ reseller_id: reseller.id }).count({ c: '*' }).first())!.c)).toBeGreaterThan(0);
    expect(Number((await db('products').where({ customer_id: customerOfReseller.id }).count({ c: '*' }).first())!.c)).toBeGreaterThan(0);
    // One call in progress: credit reserved on Globex and on the reseller above it.
    const reserved = (await db('account_reservations').whereIn('account_id', [customerOfReseller.id, reseller.id]).orderBy('account_id')) as Array<{ reserved: string }>;
    expect(reserved.map((row) => Number(row.reserved) > 0)).toEqual([true, true]);

    // Calls to the customers' numbers, rated and charged, from a registered switch.
    expect(result.calls).toBe(11);
    expect(await db('switches').pluck('name')).toEqual(['Demo FreeSWITCH']);
    const calls = (await db('calls').select('owner_id', 'reseller_id', 'billsec')) as Array<{ owner_id: number; reseller_id: number | null; billsec: number }>;
    expect(calls).toHaveLength(11);
    expect(calls.some((call) => call.owner_id === customerOfReseller.id && call.reseller_id === reseller.id)).toBe(true);
    expect(calls.filter((call) => Number(call.billsec) === 0)).toHaveLength(2);

    // Card payments for the Payments pages: one paid (Visa 4242) and partly refunded, one expired unpaid, one pending.
    const payments = await db('payments').orderBy('id').select('status', 'amount', 'amount_refunded', 'card_brand', 'card_last4');
    expect(payments).toEqual([
      { status: 'partially_refunded', amount: '50.000000', amount_refunded: '10.000000', card_brand: 'visa', card_last4: '4242' },
      { status: 'expired', amount: '15.000000', amount_refunded: '0.000000', card_brand: null, card_last4: null },
      { status: 'pending', amount: '20.000000', amount_refunded: '0.000000', card_brand: null, card_last4: null },
    ]);
    expect(await db('ledger_entries').whereIn('kind', ['payment', 'refund']).where('idempotency_key', 'like', 'stripe%').orderBy('id').pluck('amount')).toEqual(['50.000000', '-10.000000']);
    const charged = await db('ledger_entries').where({ kind: 'call_charge', account_id: customerOfReseller.id }).count({ c: '*' }).first();
    expect(Number(charged!.c)).toBe(4); // its 5 calls but the one that rang out, which costs nothing

    // A webhook endpoint of the reseller's, disabled (nothing listens there), with a delivery log.
    const endpoints = await db('webhook_endpoints').select('account_id', 'enabled', 'secret');
    expect(endpoints).toMatchObject([{ account_id: reseller.id, enabled: false }]);
    expect(endpoints[0].secret).toMatch(/^whsec_/);
    const log = (await db('outbox_messages').where({ channel: 'webhook' }).orderBy('id').select('event', 'status')) as Array<{ event: string; status: string }>;
    expect(log).toEqual([{ event: 'webhook.test', status: 'delivered' }, { event: 'number.purchased', status: 'failed' }, { event: 'number.purchased', status: 'failed' }]);
    // Demo invoices a newcomer can open: one from the operator, one from a reseller, both taxed.
    const invoices = (await db('invoices').orderBy('number').select('number', 'issuer_id', 'tax_total', 'total', 'currency')) as Array<{ number: string; issuer_id: number; tax_total: string; currency: string }>;
    expect(invoices.map((invoice) => invoice.number)).toEqual(['DH-00001', 'NW-00001']);
    // In the configured currency (CURRENCY), not always USD.
    expect(invoices.map((invoice) => invoice.currency)).toEqual(['EUR', 'EUR']);
    expect(invoices.every((invoice) => Number(invoice.tax_total) > 0)).toBe(true);
    // Calendar billing: numbers billed per calendar month and yearly, Bluebird Voice billing on the 15th with a prorated first period.
    expect((await db('products').whereIn('billing_period', ['month', 'year']).pluck('billing_period')).sort()).toEqual(['month', 'month', 'month', 'month', 'year']);
    const calendar = await db('subscriptions').where({ billing_period: 'month' }).first();
    expect(calendar).toMatchObject({ billing_day: 15, next_billing_at: new Date('2026-12-15T00:00:00Z') });
    expect(await db('ledger_entries').where({ reference_id: calendar.id, kind: 'recurring_fee' }).pluck('amount')).toEqual(['-1.733300']);
  });

  it('when seeded, then every balance is explained by its ledger rows', async () => {
    const { db } = database.current;
    const rows = (await db('accounts as a')
      .leftJoin('ledger_entries as l', 'l.account_id', 'a.id')
      .groupBy('a.id', 'a.balance')
      .select('a.id', 'a.balance', db.raw('coalesce(sum(l.amount), 0)::numeric(20,6)::text as ledger_sum'), db.raw('count(l.id) as entries'))) as Array<{
      balance: string;
      ledger_sum: string;
      entries: number | string;
    }>;
    for (const row of rows) expect(row.balance).toBe(row.ledger_sum);
    expect(rows.filter((row) => Number(row.entries) > 0).length).toBeGreaterThanOrEqual(4);
  });

  it("when seeded, then the Outbox holds the demo's mails: receipts and payments, Globex's from its reseller, one bounced", async () => {
    const { db } = database.current;
    const mails = (await db('outbox_messages').where({ channel: 'mail' }).orderBy('id')) as Array<{ event: string; recipient: string; status: string; payload: unknown }>;
    const payloadOf = (row: { payload: unknown }) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as { subject: string; from: { name: string } };
    const to = (address: string) => mails.filter((row) => row.recipient === address);
    // Acme's card payment (the Stripe demo) is a second payment mail.
    expect(to('customer@example.com').map((row) => row.event).sort()).toEqual(['number.purchased', 'number.purchased', 'number.purchased', 'payment.received', 'payment.received']);
    expect(to('accounts-payable@acme.example')).toHaveLength(5);
    const globex = to('customer-of-reseller@example.com');
    expect(globex.map((row) => row.event).sort()).toEqual(['number.purchased', 'number.purchased', 'payment.received', 'renewal.notice']);
    for (const row of globex) expect(payloadOf(row).from.name).toBe('Northwind Telecom');
    expect(mails.filter((row) => row.status === 'failed')).toHaveLength(1);
  });

  it('when seeded, then the first notice run warns Acme of its low balance, once, and Globex has a billing contact', async () => {
    const { db } = database.current;
    const acme = await db('accounts').where({ email: 'customer@example.com' }).first();
    const globex = await db('accounts').where({ email: 'customer-of-reseller@example.com' }).first();
    expect(await db('billing_contacts').where({ account_id: globex.id }).pluck('email')).toEqual(['accounts-payable@globex.example']);
    expect(await sendLowBalanceNotices(db, new Date('2026-11-29T12:00:00Z'))).toBeGreaterThanOrEqual(1);
    expect((await db('accounts').where({ id: acme.id }).first()).low_balance_notified_at).not.toBeNull();
  });

  it('when seeded, then every dashboard chart of the admin, Northwind and its customer, and Acme has figures in its 30 days', async () => {
    const { db } = database.current;
    const now = new Date('2026-11-29T12:00:00Z');
    // Bluebird (reseller2) has no customers, so no calls: its calls chart is empty, as it should be.
    const emails = ['admin@example.com', 'reseller@example.com', 'customer@example.com', 'customer-of-reseller@example.com'];
    const accounts = (await db('accounts').whereIn('email', emails).select('id', 'role', 'email')) as Array<{ id: number; role: 'admin' | 'reseller' | 'customer'; email: string }>;
    for (const account of accounts) {
      const scope = account.role === 'admin' ? { kind: 'all' as const } : { kind: account.role, id: Number(account.id) };
      for (const chart of await loadCharts(db, scope, now, 4)) {
        const figures = chart.series[0]!.values.filter((value) => Number(value) !== 0);
        expect(figures.length, `${account.email} ${chart.name}`).toBeGreaterThan(0);
      }
    }
  });

  it('when seeded, then the reports of the admin and of Northwind have revenue, cost and numbers on first start', async () => {
    const { db } = database.current;
    const now = new Date('2026-11-29T12:00:00Z');
    const { loadReport } = await import('../../src/services/reports.ts');
    const { defaultReportRange } = await import('../../src/domain/report-range.ts');
    const northwind = (await db('accounts').where({ email: 'reseller@example.com' }).first('id')) as { id: number };
    for (const scope of [{ kind: 'all' as const }, { kind: 'reseller' as const, id: Number(northwind.id) }]) {
      const month = await loadReport(db, scope, 'month', defaultReportRange(now, 'month'), { limit: 50, offset: 0 }, now);
      expect(month.kind === 'money' && Number(month.totals.revenue), `${scope.kind} revenue`).toBeGreaterThan(0);
      expect(month.kind === 'money' && Number(month.totals.cost), `${scope.kind} cost`).toBeGreaterThan(0);
      const usage = await loadReport(db, scope, 'utilisation', defaultReportRange(now, 'day'), { limit: 50, offset: 0 }, now);
      expect(usage.kind === 'utilisation' && usage.totals?.owned, `${scope.kind} owned`).toBeGreaterThan(0);
    }
  });

  it('when the database has accounts already, then seeding writes nothing', async () => {
    const { db } = database.current;
    const before = Number((await db('products').count({ c: '*' }).first())!.c);
    const result = await seedDemo(db, { now: new Date(), bcryptCost: 4 });
    expect(result.seeded).toBe(false);
    expect(Number((await db('products').count({ c: '*' }).first())!.c)).toBe(before);
  });
});
