import type { Knex } from 'knex';

// Calendar terms (BILLING.md "Calendar billing, proration and taxes"): a product bills every N
// days (as before), per calendar month on its holder's billing day, or yearly on the purchase's
// date. A subscription keeps the terms it was bought with, the billing day too, as it keeps its
// price: changing an account's billing day applies to the numbers it buys afterwards.
//
// accounts.billing_day may exist already: the invoices migration (20261201140000) adds it with IF
// NOT EXISTS and a 1..31 check for the invoice run. One billing day serves both, and a calendar
// month needs it in 1..28 (every month has that day), so that looser check is replaced by ours.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE accounts ADD COLUMN IF NOT EXISTS billing_day smallint NOT NULL DEFAULT 1');
  await knex.raw('UPDATE accounts SET billing_day = 28 WHERE billing_day > 28');
  await knex.raw('ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_invoice_billing_day_check');
  await knex.raw('ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_billing_day_check');
  await knex.raw('ALTER TABLE accounts ADD CONSTRAINT accounts_billing_day_check CHECK (billing_day BETWEEN 1 AND 28)');
  await knex.raw(`
    ALTER TABLE products
      ADD COLUMN billing_period text NOT NULL DEFAULT 'days',
      ADD CONSTRAINT products_billing_period_check CHECK (
        billing_period IN ('days', 'month', 'year') AND (billing_period = 'days' OR billing_type = 'recurring'))
  `);
  await knex.raw(`
    ALTER TABLE subscriptions
      ADD COLUMN billing_period text NOT NULL DEFAULT 'days',
      ADD COLUMN billing_day smallint,
      ADD CONSTRAINT subscriptions_billing_period_check CHECK (
        billing_period IN ('days', 'month', 'year') AND (billing_period = 'days' OR billing_type = 'recurring')
        AND (billing_period <> 'month') = (billing_day IS NULL) AND (billing_day IS NULL OR billing_day BETWEEN 1 AND 28))
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE subscriptions DROP COLUMN billing_day, DROP COLUMN billing_period');
  await knex.raw('ALTER TABLE products DROP COLUMN billing_period');
  // The column stays: the invoices migration owns it (its down drops its own check only).
  await knex.raw('ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_billing_day_check');
  await knex.raw('ALTER TABLE accounts ADD CONSTRAINT accounts_invoice_billing_day_check CHECK (billing_day BETWEEN 1 AND 31)');
}
