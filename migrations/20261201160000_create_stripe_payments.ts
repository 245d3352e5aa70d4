import type { Knex } from 'knex';

// Online payments through Stripe. A payee is the operator (reseller_id null) or a reseller that
// entered its own Stripe account: its settings hold the keys (secrets encrypted at rest). A payment
// row is written before the customer is sent to Stripe and credited once from the webhooks (its
// ledger row's key is the PaymentIntent's id); each Stripe event id is stored once, so a replay is
// a no-op. Refunds are ledger rows of kind 'refund'; disputes flag the account for the admin.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stripe_settings', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('reseller_id').nullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('secret_key_sealed').nullable();
    t.text('secret_key_last4').nullable();
    t.text('publishable_key').nullable();
    t.text('webhook_secret_sealed').nullable();
    t.text('webhook_secret_last4').nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // One row for the operator, one per reseller.
  await knex.raw(`CREATE UNIQUE INDEX stripe_settings_operator_idx ON stripe_settings ((reseller_id IS NULL)) WHERE reseller_id IS NULL`);
  await knex.raw(`CREATE UNIQUE INDEX stripe_settings_reseller_idx ON stripe_settings (reseller_id) WHERE reseller_id IS NOT NULL`);

  await knex.schema.createTable('stripe_events', (t) => {
    t.text('event_id').primary();
    t.text('type').notNullable();
    t.bigInteger('payee_reseller_id').nullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('payments', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('account_id').notNullable().references('id').inTable('accounts').onDelete('RESTRICT');
    // Whose Stripe account is paid: null = the operator's.
    t.bigInteger('payee_reseller_id').nullable().references('id').inTable('accounts').onDelete('RESTRICT');
    t.text('kind').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.decimal('amount', 20, 6).notNullable();
    t.text('currency').notNullable();
    t.decimal('amount_refunded', 20, 6).notNullable().defaultTo(0);
    t.text('checkout_session_id').nullable().unique();
    t.text('payment_intent_id').nullable().unique();
    t.text('charge_id').nullable();
    t.text('card_brand').nullable();
    t.text('card_last4').nullable();
    t.text('receipt_url').nullable();
    t.text('failure_message').nullable();
    t.bigInteger('ledger_entry_id').nullable().references('id').inTable('ledger_entries').onDelete('RESTRICT');
    t.timestamp('disputed_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['account_id', 'id']);
    t.index(['status', 'id']);
  });
  await knex.raw(`ALTER TABLE payments ADD CONSTRAINT payments_kind_check CHECK (kind IN ('topup', 'refill'))`);
  await knex.raw(`ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded', 'partially_refunded'))`);
  await knex.raw(`ALTER TABLE payments ADD CONSTRAINT payments_amount_check CHECK (amount > 0 AND amount_refunded >= 0 AND amount_refunded <= amount)`);

  await knex.schema.createTable('payment_disputes', (t) => {
    t.bigIncrements('id').primary();
    t.text('dispute_id').notNullable().unique();
    t.bigInteger('payment_id').nullable().references('id').inTable('payments').onDelete('RESTRICT');
    t.bigInteger('account_id').nullable().references('id').inTable('accounts').onDelete('RESTRICT');
    t.decimal('amount', 20, 6).notNullable();
    t.text('reason').notNullable();
    t.text('status').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['account_id']);
  });

  await knex.schema.createTable('refill_settings', (t) => {
    t.bigInteger('account_id').primary().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('stripe_customer_id').nullable();
    t.text('payment_method_id').nullable();
    t.text('card_brand').nullable();
    t.text('card_last4').nullable();
    t.boolean('enabled').notNullable().defaultTo(false);
    t.decimal('threshold', 20, 6).notNullable().defaultTo(0);
    t.decimal('amount', 20, 6).notNullable().defaultTo(0);
    // Cleared when a refill is tried, set again once available funds are back at or above the
    // threshold: at most one refill per crossing, whatever the outcome.
    t.boolean('armed').notNullable().defaultTo(true);
    t.timestamp('last_failure_at', { useTz: true }).nullable();
    t.text('last_failure_message').nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE refill_settings ADD CONSTRAINT refill_settings_amounts_check CHECK (threshold >= 0 AND amount >= 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refill_settings');
  await knex.schema.dropTable('payment_disputes');
  await knex.schema.dropTable('payments');
  await knex.schema.dropTable('stripe_events');
  await knex.schema.dropTable('stripe_settings');
}
