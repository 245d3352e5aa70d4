import type { Knex } from 'knex';

// Webhook endpoints: where an account wants to hear of its events (Standard Webhooks). Each has
// its own signing secret (shown to the owner, rotatable), the event types it wants, and a failure
// count: an endpoint that keeps failing is disabled with a reason, and the owner is told.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_endpoints', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('url').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.specificType('events', 'text[]').notNullable();
    // Standard Webhooks: whsec_ + base64 of 32 random bytes.
    t.text('secret').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('disabled_reason').nullable();
    t.timestamp('disabled_at', { useTz: true }).nullable();
    // Failed tries since the last success, and when the first of them was: the auto-disable rule.
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.timestamp('failing_since', { useTz: true }).nullable();
    t.timestamp('last_success_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_events_check CHECK (cardinality(events) > 0)`);
  // The subscriber's and the CDR batch's lookup: enabled endpoints of these accounts.
  await knex.raw(`CREATE INDEX webhook_endpoints_account_idx ON webhook_endpoints (account_id) WHERE enabled`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('webhook_endpoints');
}
