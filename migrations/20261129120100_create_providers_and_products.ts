import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('providers', (t) => {
    t.bigIncrements('id');
    t.text('name').notNullable();
    t.text('contact_name');
    t.text('email');
    t.text('phone');
    t.text('notes');
    t.timestamps(true, true);
  });
  await knex.raw('CREATE UNIQUE INDEX providers_name_unique ON providers (lower(name))');

  // A product is what the portal sells. Category 'did' is a phone number with the DID terms of
  // the admin's form; other categories can reuse the table with their own columns later.
  await knex.schema.createTable('products', (t) => {
    t.bigIncrements('id');
    t.text('category').notNullable().defaultTo('did');
    t.text('number');
    t.bigInteger('provider_id').references('providers.id').onDelete('RESTRICT');
    t.string('country', 2);
    t.text('province');
    t.text('city');
    t.text('status').notNullable().defaultTo('active');
    t.decimal('buy_cost', 20, 6).notNullable().defaultTo(0);
    t.decimal('connection_cost', 20, 6).notNullable().defaultTo(0);
    t.integer('grace_seconds').notNullable().defaultTo(0);
    t.decimal('cost_per_minute', 20, 6).notNullable().defaultTo(0);
    t.integer('initial_increment').notNullable().defaultTo(60);
    t.integer('increment').notNullable().defaultTo(60);
    t.decimal('setup_fee', 20, 6).notNullable().defaultTo(0);
    t.decimal('monthly_fee', 20, 6).notNullable().defaultTo(0);
    t.integer('call_timeout').notNullable().defaultTo(30);
    t.text('billing_type').notNullable().defaultTo('recurring');
    t.integer('billing_days').notNullable().defaultTo(30);
    // 0 means unlimited.
    t.integer('concurrent_calls').notNullable().defaultTo(0);
    // Who holds the number: both null is the admin's stock; reseller_id alone is a reseller's
    // unassigned number; customer_id is the customer that owns it (with the reseller it bought
    // from in reseller_id, or none for a direct customer of the admin).
    t.bigInteger('reseller_id').references('accounts.id').onDelete('RESTRICT');
    t.bigInteger('customer_id').references('accounts.id').onDelete('RESTRICT');
    // Where the owner's calls go: a SIP URI, a PSTN number or an extension.
    t.text('destination_type');
    t.text('destination');
    // A number that was ever sold is archived rather than deleted, to keep its history.
    t.timestamp('archived_at', { useTz: true });
    t.timestamps(true, true);
  });
  await knex.raw(`
    ALTER TABLE products
      ADD CONSTRAINT products_category_check CHECK (category IN ('did')),
      ADD CONSTRAINT products_did_number_check CHECK (category <> 'did' OR number ~ '^\\+[1-9][0-9]{6,14}$'),
      ADD CONSTRAINT products_status_check CHECK (status IN ('active', 'inactive')),
      ADD CONSTRAINT products_billing_type_check CHECK (billing_type IN ('one_time', 'recurring')),
      ADD CONSTRAINT products_billing_days_check CHECK (billing_days >= 0 AND (billing_type = 'one_time' OR billing_days >= 1)),
      ADD CONSTRAINT products_amounts_check CHECK (
        buy_cost >= 0 AND connection_cost >= 0 AND cost_per_minute >= 0 AND setup_fee >= 0 AND monthly_fee >= 0),
      ADD CONSTRAINT products_seconds_check CHECK (
        grace_seconds >= 0 AND initial_increment >= 0 AND increment >= 0 AND call_timeout >= 0 AND concurrent_calls >= 0),
      ADD CONSTRAINT products_destination_type_check CHECK (destination_type IN ('sip_uri', 'pstn', 'extension')),
      ADD CONSTRAINT products_country_check CHECK (country ~ '^[A-Z]{2}$')
  `);
  // One row per number, so a number is held by at most one account at each level.
  await knex.raw('CREATE UNIQUE INDEX products_number_unique ON products (number)');
  await knex.raw('CREATE INDEX products_reseller_idx ON products (reseller_id) WHERE reseller_id IS NOT NULL');
  await knex.raw('CREATE INDEX products_customer_idx ON products (customer_id) WHERE customer_id IS NOT NULL');
  await knex.raw('CREATE INDEX products_provider_idx ON products (provider_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('products');
  await knex.schema.dropTable('providers');
}
