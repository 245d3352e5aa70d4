import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // What a reseller charges its customers for a number it holds: its own setup and monthly
  // fees and per-minute terms. Its buy terms are the product's.
  await knex.schema.createTable('reseller_prices', (t) => {
    t.bigInteger('product_id').notNullable().references('products.id').onDelete('CASCADE');
    t.bigInteger('reseller_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.decimal('setup_fee', 20, 6).notNullable();
    t.decimal('monthly_fee', 20, 6).notNullable();
    t.decimal('connection_cost', 20, 6).notNullable();
    t.integer('grace_seconds').notNullable();
    t.decimal('cost_per_minute', 20, 6).notNullable();
    t.integer('initial_increment').notNullable();
    t.integer('increment').notNullable();
    t.timestamps(true, true);
    t.primary(['product_id', 'reseller_id']);
  });
  await knex.raw(`
    ALTER TABLE reseller_prices
      ADD CONSTRAINT reseller_prices_amounts_check CHECK (
        setup_fee >= 0 AND monthly_fee >= 0 AND connection_cost >= 0 AND cost_per_minute >= 0),
      ADD CONSTRAINT reseller_prices_seconds_check CHECK (grace_seconds >= 0 AND initial_increment >= 0 AND increment >= 0)
  `);

  // One account's right to a number, bought from its seller, with the price locked at purchase.
  await knex.schema.createTable('subscriptions', (t) => {
    t.bigIncrements('id');
    t.bigInteger('product_id').notNullable().references('products.id').onDelete('RESTRICT');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.bigInteger('seller_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.text('status').notNullable().defaultTo('active');
    t.text('billing_type').notNullable();
    t.integer('billing_days').notNullable();
    t.decimal('setup_fee', 20, 6).notNullable();
    t.decimal('price', 20, 6).notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    // Recurring: when the next period is charged. One-time: when the number is released (null: never).
    t.timestamp('next_billing_at', { useTz: true });
    t.timestamp('suspended_at', { useTz: true });
    t.timestamp('ended_at', { useTz: true });
    t.text('end_reason');
    t.timestamps(true, true);
  });
  await knex.raw(`
    ALTER TABLE subscriptions
      ADD CONSTRAINT subscriptions_status_check CHECK (status IN ('active', 'suspended', 'ended')),
      ADD CONSTRAINT subscriptions_billing_type_check CHECK (billing_type IN ('one_time', 'recurring')),
      ADD CONSTRAINT subscriptions_billing_days_check CHECK (billing_days >= 0 AND (billing_type = 'one_time' OR billing_days >= 1)),
      ADD CONSTRAINT subscriptions_amounts_check CHECK (setup_fee >= 0 AND price >= 0),
      ADD CONSTRAINT subscriptions_ended_check CHECK ((status = 'ended') = (ended_at IS NOT NULL))
  `);
  // An account holds a number through at most one live subscription.
  await knex.raw(
    "CREATE UNIQUE INDEX subscriptions_live_unique ON subscriptions (product_id, account_id) WHERE status <> 'ended'",
  );
  await knex.raw("CREATE INDEX subscriptions_due_idx ON subscriptions (next_billing_at) WHERE status <> 'ended'");
  await knex.raw('CREATE INDEX subscriptions_account_idx ON subscriptions (account_id, status)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('subscriptions');
  await knex.schema.dropTable('reseller_prices');
}
