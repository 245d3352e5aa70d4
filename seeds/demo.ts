// Demo data for trying didhub: only ever written into an empty database, never relied on by tests.
import type { Knex } from 'knex';
import type { DidTerms } from '../src/domain/did-terms.ts';
import { Money, toStored } from '../src/domain/money.ts';
import type { AccountRow } from '../src/db/repos/accounts.ts';
import { parsePlainCdr } from '../src/domain/freeswitch.ts';
import { createAccount } from '../src/services/accounts.ts';
import { findHoldingsTakingSlots } from '../src/db/repos/call-holdings.ts';
import { recordCdrs } from '../src/services/cdr-charging.ts';
import { postLedgerEntry } from '../src/db/ledger-writer.ts';
import { registerSwitch } from '../src/services/switches.ts';
import { seedDemoMail } from './demo-mail.ts';
import { seedDemoApi } from './demo-api.ts';
import { seedNotificationsDemo } from './demo-notifications.ts';
import { seedDemoWebhooks } from './demo-webhooks.ts';
import { seedDemoPayments } from './demo-payments.ts';
import { seedCalendarDemo } from './demo-calendar.ts';

import { seedDemoInvoices } from './demo-invoices.ts';
export const DEMO_PASSWORD = 'didhub-demo';

export const DEMO_LOGINS = [
  { role: 'admin', email: 'admin@example.com' },
  { role: 'reseller', email: 'reseller@example.com' },
  { role: 'reseller', email: 'reseller2@example.com' },
  { role: 'customer', email: 'customer@example.com', note: 'a direct customer of the admin' },
  { role: 'customer', email: 'customer-of-reseller@example.com', note: 'a customer of reseller@example.com' },
] as const;

interface CityPlan {
  country: string;
  province: string;
  city: string;
  numbers: string[];
  terms: Pick<DidTerms, 'buy_cost' | 'setup_fee' | 'monthly_fee' | 'connection_cost' | 'grace_seconds' | 'cost_per_minute' | 'initial_increment' | 'increment' | 'concurrent_calls'>
    & Partial<Pick<DidTerms, 'billing_type' | 'billing_days'>>;
}

const CITIES: CityPlan[] = [
  { country: 'US', province: 'CA', city: 'San Francisco', numbers: ['+14155550100', '+14155550101', '+14155550102', '+14155550103', '+14155550104', '+14155550105'],
    terms: { buy_cost: '0.40', setup_fee: '1.00', monthly_fee: '1.50', connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.0085', initial_increment: 6, increment: 6, concurrent_calls: 4 } },
  { country: 'US', province: 'NY', city: 'New York', numbers: ['+12125550180', '+12125550181', '+12125550182', '+12125550183', '+12125550184'],
    terms: { buy_cost: '0.50', setup_fee: '1.00', monthly_fee: '1.75', connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.0090', initial_increment: 6, increment: 6, concurrent_calls: 4 } },
  { country: 'US', province: 'IL', city: 'Chicago', numbers: ['+13125557000', '+13125557001', '+13125557002', '+13125557003'],
    terms: { buy_cost: '0.40', setup_fee: '0', monthly_fee: '1.25', connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.0080', initial_increment: 60, increment: 6, concurrent_calls: 2 } },
  { country: 'GB', province: 'England', city: 'London', numbers: ['+442079460100', '+442079460101', '+442079460102', '+442079460103', '+442079460104'],
    terms: { buy_cost: '0.90', setup_fee: '2.00', monthly_fee: '2.50', connection_cost: '0.01', grace_seconds: 5, cost_per_minute: '0.0120', initial_increment: 60, increment: 60, concurrent_calls: 10 } },
  { country: 'GB', province: 'England', city: 'Manchester', numbers: ['+441614960100', '+441614960101', '+441614960102', '+441614960103'],
    terms: { buy_cost: '0.80', setup_fee: '2.00', monthly_fee: '2.25', connection_cost: '0.01', grace_seconds: 5, cost_per_minute: '0.0110', initial_increment: 60, increment: 60, concurrent_calls: 5 } },
  { country: 'DE', province: 'Berlin', city: 'Berlin', numbers: ['+493012345670', '+493012345671', '+493012345672', '+493012345673', '+493012345674'],
    terms: { buy_cost: '1.20', setup_fee: '3.00', monthly_fee: '3.50', connection_cost: '0.005', grace_seconds: 3, cost_per_minute: '0.0100', initial_increment: 60, increment: 1, concurrent_calls: 8 } },
  { country: 'DE', province: 'Bayern', city: 'München', numbers: ['+498912345670', '+498912345671', '+498912345672'],
    terms: { buy_cost: '1.20', setup_fee: '3.00', monthly_fee: '3.50', connection_cost: '0.005', grace_seconds: 3, cost_per_minute: '0.0100', initial_increment: 60, increment: 1, concurrent_calls: 8 } },
  { country: 'FR', province: 'Île-de-France', city: 'Paris', numbers: ['+33142685300', '+33142685301', '+33142685302', '+33142685303'],
    terms: { buy_cost: '1.00', setup_fee: '2.50', monthly_fee: '3.00', connection_cost: '0.02', grace_seconds: 0, cost_per_minute: '0.0150', initial_increment: 30, increment: 6, concurrent_calls: 6 } },
  { country: 'FR', province: "Provence-Alpes-Côte d'Azur", city: 'Marseille', numbers: ['+33491123450', '+33491123451', '+33491123452'],
    terms: { buy_cost: '1.00', setup_fee: '2.50', monthly_fee: '2.75', connection_cost: '0.02', grace_seconds: 0, cost_per_minute: '0.0150', initial_increment: 30, increment: 6, concurrent_calls: 6 } },
  { country: 'NL', province: 'Noord-Holland', city: 'Amsterdam', numbers: ['+31201234560', '+31201234561', '+31201234562'],
    terms: { buy_cost: '1.10', setup_fee: '5.00', monthly_fee: '4.00', connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.0130', initial_increment: 60, increment: 60, concurrent_calls: 0, billing_type: 'one_time', billing_days: 365 } },
  { country: 'ES', province: 'Madrid', city: 'Madrid', numbers: ['+34911234560', '+34911234561', '+34911234562'],
    terms: { buy_cost: '1.00', setup_fee: '2.00', monthly_fee: '3.25', connection_cost: '0.01', grace_seconds: 0, cost_per_minute: '0.0140', initial_increment: 60, increment: 60, concurrent_calls: 4 } },
  { country: 'CA', province: 'ON', city: 'Ottawa', numbers: ['+16135550120', '+16135550121', '+16135550122'],
    terms: { buy_cost: '0.45', setup_fee: '1.00', monthly_fee: '1.50', connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.0085', initial_increment: 6, increment: 6, concurrent_calls: 4 } },
  { country: 'AU', province: 'NSW', city: 'Sydney', numbers: ['+61291234560', '+61291234561', '+61291234562'],
    terms: { buy_cost: '2.00', setup_fee: '5.00', monthly_fee: '6.00', connection_cost: '0.03', grace_seconds: 0, cost_per_minute: '0.0250', initial_increment: 60, increment: 60, concurrent_calls: 4, billing_type: 'recurring', billing_days: 90 } },
];

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SeedResult {
  seeded: boolean;
  dids: number;
  calls: number;
}

// Calls to the numbers customers own, over the last days: [number, hours ago, billed seconds].
// A billed time of 0 is a call that rang out. They are rated and charged as a switch's CDRs are.
const DEMO_CALLS: Array<[string, number, number]> = [
  ['+13125557000', 70, 184], ['+13125557000', 49, 0], ['+13125557000', 26, 1260], ['+13125557000', 3, 42],
  ['+441614960100', 51, 305], ['+441614960100', 5, 61],
  ['+14155550100', 60, 95], ['+14155550100', 30, 610], ['+14155550100', 2, 0],
  ['+442079460100', 28, 733], ['+442079460100', 7, 19],
];

export async function isDatabaseEmpty(db: Knex): Promise<boolean> {
  const row = (await db('accounts').count({ count: '*' }).first()) as { count: string | number };
  return Number(row.count) === 0;
}

/** Writes the demo accounts, providers, numbers, holdings and ledgers; skips a non-empty database. */
export async function seedDemo(db: Knex, options: { now: Date; bcryptCost: number; moneyDecimals?: number; currency?: string }): Promise<SeedResult> {
  const { now, bcryptCost } = options;
  return db.transaction(async (trx) => {
    if (!(await isDatabaseEmpty(trx))) return { seeded: false, dids: 0, calls: 0 };
    const account = (fields: Parameters<typeof createAccount>[1]) => createAccount(trx, fields, bcryptCost);
    const admin = await account({ role: 'admin', parent_id: null, name: 'Operator Admin', email: 'admin@example.com', password: DEMO_PASSWORD });
    const reseller = await account({ role: 'reseller', parent_id: admin.id, name: 'Northwind Telecom', email: 'reseller@example.com', password: DEMO_PASSWORD, max_concurrent_calls: 50 });
    const reseller2 = await account({ role: 'reseller', parent_id: admin.id, name: 'Bluebird Voice', email: 'reseller2@example.com', password: DEMO_PASSWORD, billing_mode: 'postpaid', credit_limit: '200.000000', max_concurrent_calls: 20 });
    const customer = await account({ role: 'customer', parent_id: admin.id, name: 'Acme Corp', email: 'customer@example.com', password: DEMO_PASSWORD, max_concurrent_calls: 10 });
    const resellersCustomer = await account({ role: 'customer', parent_id: reseller.id, name: 'Globex Ltd', email: 'customer-of-reseller@example.com', password: DEMO_PASSWORD, max_concurrent_calls: 5 });

    const [carrierA, carrierB] = (await trx('providers')
      .insert([
        { name: 'Atlas Carrier', contact_name: 'Provisioning desk', email: 'noc@atlas.example', phone: '+1 415 555 0199', notes: 'North American and UK numbers' },
        { name: 'Euronet Numbers', contact_name: 'Sales', email: 'sales@euronet.example', phone: '+49 30 901820', notes: 'Continental Europe and Australia' },
      ])
      .returning('id')) as Array<{ id: number }>;

    const products: Array<{ id: number; number: string }> = [];
    for (const plan of CITIES) {
      const providerId = ['US', 'CA', 'GB'].includes(plan.country) ? carrierA!.id : carrierB!.id;
      const { billing_type = 'recurring', billing_days = 30, ...terms } = plan.terms;
      const rows = plan.numbers.map((number) => ({
        category: 'did', number, provider_id: providerId, country: plan.country, province: plan.province, city: plan.city,
        status: 'active', call_timeout: 30, billing_type, billing_days, ...terms, created_at: now, updated_at: now,
      }));
      products.push(...((await trx('products').insert(rows).returning(['id', 'number'])) as typeof products));
    }
    // One number kept inactive, to show that state in the lists.
    await trx('products').where({ number: '+33491123452' }).update({ status: 'inactive' });

    const credit = (to: AccountRow, amount: string, kind: 'payment' | 'refill', daysAgo: number) =>
      postLedgerEntry(trx, {
        accountId: to.id, amount, kind, now: new Date(now.getTime() - daysAgo * DAY_MS), createdBy: admin.id,
        description: kind === 'payment' ? 'Bank transfer received' : 'Account refill',
        idempotencyKey: `seed:${kind}:${to.id}:${daysAgo}`,
      });
    await credit(reseller, '500', 'payment', 20);
    await credit(customer, '100', 'payment', 15);
    await credit(resellersCustomer, '50', 'refill', 5);

    const pick = (number: string) => products.find((p) => p.number === number)!;
    const buy = async (buyer: AccountRow, seller: AccountRow, number: string, daysAgo: number, price?: { setup: string; monthly: string }) => {
      const product = (await trx('products').where({ id: pick(number).id }).first()) as Record<string, string | number>;
      const startedAt = new Date(now.getTime() - daysAgo * DAY_MS);
      const setup = price?.setup ?? String(product.setup_fee);
      const monthly = price?.monthly ?? String(product.monthly_fee);
      const days = Number(product.billing_days);
      const [subscription] = (await trx('subscriptions')
        .insert({
          product_id: product.id, account_id: buyer.id, seller_id: seller.id, status: 'active',
          billing_type: product.billing_type, billing_days: days, setup_fee: setup, price: monthly,
          started_at: startedAt, next_billing_at: days > 0 ? new Date(startedAt.getTime() + days * DAY_MS) : null,
          created_at: startedAt, updated_at: startedAt,
        })
        .returning('id')) as Array<{ id: number }>;
      const charge = (amount: string, kind: 'setup_fee' | 'recurring_fee', what: string) =>
        postLedgerEntry(trx, {
          accountId: buyer.id, amount: toStored(new Money(amount).negated()), kind, now: startedAt,
          description: `${what} for ${number}`, referenceType: 'subscription', referenceId: subscription!.id,
          idempotencyKey: `seed:subscription:${subscription!.id}:${kind}`,
        });
      if (!new Money(setup).isZero()) await charge(setup, 'setup_fee', 'Setup fee');
      await charge(monthly, 'recurring_fee', 'First period');
      return product;
    };

    const resellerNumbers = ['+14155550100', '+14155550101', '+14155550102', '+442079460100', '+442079460101', '+493012345670', '+33142685300', '+12125550180'];
    for (const number of resellerNumbers) {
      const product = await buy(reseller, admin, number, 12);
      const markup = (value: string | number) => toStored(new Money(String(value)).times('1.25'));
      await trx('reseller_prices').insert({
        product_id: product.id, reseller_id: reseller.id,
        setup_fee: markup(product.setup_fee!), monthly_fee: markup(product.monthly_fee!),
        connection_cost: markup(product.connection_cost!), grace_seconds: product.grace_seconds,
        cost_per_minute: markup(product.cost_per_minute!), initial_increment: product.initial_increment, increment: product.increment,
        created_at: now, updated_at: now,
      });
      await trx('products').where({ id: product.id }).update({ reseller_id: reseller.id });
    }
    for (const number of ['+14155550100', '+442079460100']) {
      const product = pick(number);
      const sell = (await trx('reseller_prices').where({ product_id: product.id, reseller_id: reseller.id }).first()) as { setup_fee: string; monthly_fee: string };
      await buy(resellersCustomer, reseller, number, 4, { setup: sell.setup_fee, monthly: sell.monthly_fee });
      await trx('products').where({ id: product.id }).update({ customer_id: resellersCustomer.id, destination_type: 'sip_uri', destination: 'sip:reception@globex.example' });
    }
    for (const number of ['+16135550120', '+34911234560', '+61291234560']) {
      await buy(reseller2, admin, number, 8);
      await trx('products').where({ id: pick(number).id }).update({ reseller_id: reseller2.id });
    }
    for (const number of ['+13125557000', '+441614960100', '+31201234560']) {
      await buy(customer, admin, number, 9);
      await trx('products').where({ id: pick(number).id }).update({ customer_id: customer.id, destination_type: 'pstn', destination: '+13125559876' });
    }

    // A switch to show on the Switches page; its token is not kept (rotate it there to get one).
    const { row: demoSwitch } = await registerSwitch(trx, { name: 'Demo FreeSWITCH', allowedAddresses: '' }, admin.id, now);
    const outcomes = await recordCdrs(
      trx,
      DEMO_CALLS.map(([number, hoursAgo, billsec], i) => {
        const started = Math.floor(now.getTime() / 1000) - hoursAgo * 3600;
        const record = {
          uuid: `demo-call-${i + 1}`, destination: number, caller: `+1202555${String(140 + i).padStart(4, '0')}`, started_at: started,
          answered_at: billsec > 0 ? started + 6 : null, ended_at: started + 6 + billsec, billsec,
          hangup_cause: billsec > 0 ? 'NORMAL_CLEARING' : 'NO_ANSWER',
        };
        return { parsed: parsePlainCdr(record), payload: () => JSON.stringify(record) };
      }),
      { source: 'api', switchId: demoSwitch.id, now, decimals: options.moneyDecimals ?? 4 },
    );
    // One call in progress, so dashboards show credit reserved for it (its reservation expires with
    // its slot an hour and a few minutes from now, and is then listed under Expired reservations).
    await findHoldingsTakingSlots(trx, [{
      number: '+14155550100', uuid: 'demo-call-in-progress', switchId: demoSwitch.id, now,
      capSeconds: 3600, marginSeconds: 300, decimals: options.moneyDecimals ?? 4,
    }]);
    await seedDemoMail(trx, { reseller, customer, resellersCustomer }, now);
    await seedDemoPayments(trx, now, options.currency);
    await seedDemoApi(trx, reseller, now, admin);
    await seedNotificationsDemo(trx, { customer, resellersCustomer }, now);
    await seedDemoWebhooks(trx, { resellerId: reseller.id, now });
    await seedDemoInvoices(trx, { now, decimals: options.moneyDecimals ?? 4, currency: options.currency ?? 'USD' });
    await seedCalendarDemo(trx, { now, decimals: options.moneyDecimals ?? 4 });
    return { seeded: true, dids: products.length, calls: outcomes.filter((o) => o.status === 'stored').length };
  });
}
