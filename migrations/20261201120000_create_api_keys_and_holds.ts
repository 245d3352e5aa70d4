import type { Knex } from 'knex';

// The account REST API (/api/v1): keys stored as a SHA-256 of their secret (shown once), each
// key's request log and its rate-limit bucket; number holds (a hold is written onto the product
// row itself, so a purchase's conditional update sees it under the row lock); orders of held or
// listed numbers; and the stored answers of Idempotency-Key requests.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_keys', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('name').notNullable();
    // What lists and logs show of the key (dh_live_ and the first characters); never enough to use it.
    t.text('prefix').notNullable();
    t.text('secret_hash').notNullable().unique();
    t.jsonb('scopes').notNullable();
    // Addresses and CIDR ranges the key may be used from; empty: anywhere.
    t.jsonb('allowed_ips').notNullable().defaultTo('[]');
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.timestamp('last_used_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    // Token bucket: tokens left at rate_updated_at (refilled at API_RATE_LIMIT a second up to the burst).
    t.double('rate_tokens').nullable();
    t.timestamp('rate_updated_at', { useTz: true }).nullable();
  });
  await knex.raw('CREATE INDEX api_keys_account_idx ON api_keys (account_id, id)');

  await knex.schema.createTable('api_requests', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('key_id').notNullable().references('id').inTable('api_keys').onDelete('CASCADE');
    t.bigInteger('account_id').notNullable();
    t.text('method').notNullable();
    t.text('route').notNullable();
    t.integer('status').notNullable();
    t.text('ip').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX api_requests_key_idx ON api_requests (key_id, id)');

  await knex.schema.createTable('number_holds', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('released_at', { useTz: true }).nullable();
    t.timestamp('expired_at', { useTz: true }).nullable();
    t.timestamp('ordered_at', { useTz: true }).nullable();
  });
  await knex.raw('CREATE INDEX number_holds_account_idx ON number_holds (account_id, id)');
  await knex.raw('CREATE INDEX number_holds_due_idx ON number_holds (expires_at) WHERE released_at IS NULL AND expired_at IS NULL AND ordered_at IS NULL');
  await knex.schema.createTable('number_hold_items', (t) => {
    t.bigInteger('hold_id').notNullable().references('id').inTable('number_holds').onDelete('CASCADE');
    t.bigInteger('product_id').notNullable().references('id').inTable('products').onDelete('CASCADE');
    t.text('number').notNullable();
    t.primary(['hold_id', 'product_id']);
  });
  await knex.schema.alterTable('products', (t) => {
    t.bigInteger('hold_id').nullable();
    t.bigInteger('hold_account_id').nullable();
    t.timestamp('held_until', { useTz: true }).nullable();
  });

  await knex.schema.createTable('number_orders', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.bigInteger('hold_id').nullable().references('id').inTable('number_holds');
    t.decimal('total', 20, 6).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX number_orders_account_idx ON number_orders (account_id, id)');
  await knex.schema.createTable('number_order_items', (t) => {
    t.bigInteger('order_id').notNullable().references('id').inTable('number_orders').onDelete('CASCADE');
    t.bigInteger('product_id').notNullable().references('id').inTable('products');
    t.bigInteger('subscription_id').notNullable().references('id').inTable('subscriptions');
    t.text('number').notNullable();
    t.decimal('setup_fee', 20, 6).notNullable();
    t.decimal('first_period', 20, 6).notNullable();
    t.primary(['order_id', 'product_id']);
  });

  await knex.schema.createTable('api_idempotency_keys', (t) => {
    t.bigInteger('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('key').notNullable();
    t.text('request_hash').notNullable();
    t.integer('status').nullable();
    t.jsonb('response').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.primary(['account_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_idempotency_keys');
  await knex.schema.dropTable('number_order_items');
  await knex.schema.dropTable('number_orders');
  await knex.schema.alterTable('products', (t) => {
    t.dropColumn('hold_id');
    t.dropColumn('hold_account_id');
    t.dropColumn('held_until');
  });
  await knex.schema.dropTable('number_hold_items');
  await knex.schema.dropTable('number_holds');
  await knex.schema.dropTable('api_requests');
  await knex.schema.dropTable('api_keys');
}
