// Demo data for calendar billing: numbers billed per calendar month and one annual number in the
// admin's stock (the Buy DIDs list shows what their first period costs today), and Bluebird Voice
// (reseller2) billing on the 15th with a calendar-month number bought 10 days ago, its first period
// prorated. Not Acme or Globex: the demo invoices close their month up to today, and a purchase
// back-dated into a closed period would be missing from it.
import type { Knex } from 'knex';
import { startTerm } from '../src/domain/billing-calendar.ts';
import { Money, toStored } from '../src/domain/money.ts';
import { postLedgerEntry } from '../src/db/ledger-writer.ts';
import { describePeriod } from '../src/services/acquisition.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

const CALENDAR_NUMBERS = [
  { number: '+12125550140', country: 'US', province: 'NY', city: 'New York', monthly_fee: '2.00', billing_period: 'month' },
  { number: '+12125550141', country: 'US', province: 'NY', city: 'New York', monthly_fee: '2.00', billing_period: 'month' },
  { number: '+442079460150', country: 'GB', province: 'England', city: 'London', monthly_fee: '3.10', billing_period: 'month' },
  { number: '+33142685310', country: 'FR', province: 'Ile-de-France', city: 'Paris', monthly_fee: '3.00', billing_period: 'month' },
  { number: '+61290000150', country: 'AU', province: 'NSW', city: 'Sydney', monthly_fee: '30.00', billing_period: 'year' },
] as const;

export async function seedCalendarDemo(trx: Knex.Transaction, options: { now: Date; decimals: number }): Promise<void> {
  const { now } = options;
  const admin = (await trx('accounts').where({ role: 'admin' }).orderBy('id').first()) as { id: number };
  const provider = (await trx('providers').orderBy('id').first('id')) as { id: number };
  const rows = CALENDAR_NUMBERS.map((did) => ({
    category: 'did', ...did, provider_id: provider.id, status: 'active', buy_cost: '0.50', setup_fee: '1.00', connection_cost: '0',
    grace_seconds: 0, cost_per_minute: '0.0090', initial_increment: 60, increment: 6, call_timeout: 30, billing_type: 'recurring',
    billing_days: did.billing_period === 'year' ? 365 : 30, concurrent_calls: 4, created_at: now, updated_at: now,
  }));
  const products = (await trx('products').insert(rows).returning(['id', 'number', 'monthly_fee'])) as Array<{ id: number; number: string; monthly_fee: string }>;

  // Bluebird Voice bills on the 15th and bought the first New York number 10 days ago.
  const bluebird = (await trx('accounts').where({ email: 'reseller2@example.com' }).update({ billing_day: 15 }).returning('*')) as Array<{ id: number }>;
  const buyer = bluebird[0];
  if (!buyer) return;
  const product = products[0]!;
  const boughtAt = new Date(now.getTime() - 10 * DAY_MS);
  const terms = { billing_type: 'recurring', billing_days: 30, billing_period: 'month' } as const;
  const first = startTerm(terms, product.monthly_fee, 15, boughtAt, { prorate: true, decimals: options.decimals });
  const [subscription] = (await trx('subscriptions')
    .insert({
      product_id: product.id, account_id: buyer.id, seller_id: admin.id, status: 'active', billing_type: 'recurring', billing_days: 30,
      billing_period: 'month', billing_day: 15, setup_fee: '1.00', price: product.monthly_fee, started_at: boughtAt,
      next_billing_at: first.nextBillingAt, created_at: boughtAt, updated_at: boughtAt,
    })
    .returning('id')) as Array<{ id: number }>;
  await trx('products').where({ id: product.id }).update({ reseller_id: buyer.id, destination_type: 'pstn', destination: '+13125559876' });
  // Charged as a purchase charges them (services/acquisition.ts chargeFirstPeriod): the first
  // period carries the days it covers, and is worded as the receipt words it.
  const charge = (amount: string, kind: 'setup_fee' | 'recurring_fee', description: string) =>
    postLedgerEntry(trx, {
      accountId: buyer.id, amount: toStored(new Money(amount).negated()), kind, now: boughtAt, description,
      period: kind === 'recurring_fee' ? { start: boughtAt, end: first.nextBillingAt! } : undefined,
      referenceType: 'subscription', referenceId: subscription!.id, idempotencyKey: `seed:subscription:${subscription!.id}:${kind}`,
    });
  await charge('1.00', 'setup_fee', `Setup fee for ${product.number}`);
  await charge(first.amount, 'recurring_fee', `${describePeriod(terms, first).replace(/^./, (c) => c.toUpperCase())} for ${product.number}`);
}
