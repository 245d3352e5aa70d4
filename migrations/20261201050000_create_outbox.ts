import type { Knex } from 'knex';

// The durable outbox shared by mail and webhooks: a message is a row written in the same
// transaction as the change that causes it (a rolled-back change sends nothing, a crash loses
// nothing); workers claim due rows with SKIP LOCKED and a lease, so several app instances deliver
// each message once. Each try is kept in outbox_attempts: the delivery log the pages show.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('outbox_messages', (t) => {
    t.bigIncrements('id').primary();
    t.text('channel').notNullable();
    t.text('event').notNullable();
    t.bigInteger('account_id').nullable().references('id').inTable('accounts').onDelete('SET NULL');
    // Where it goes, for lists and filters: the mail's address, the webhook's URL.
    t.text('recipient').notNullable();
    // The webhook endpoint a delivery is for (its table belongs to the API).
    t.bigInteger('endpoint_id').nullable();
    t.jsonb('payload').notNullable();
    // Optional: one message per key and channel (a low-balance warning once per crossing).
    t.text('dedupe_key').nullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('locked_until', { useTz: true }).nullable();
    t.text('last_error').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true }).nullable();
    t.timestamp('failed_at', { useTz: true }).nullable();
  });
  await knex.raw(`ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_channel_check CHECK (channel IN ('mail', 'webhook'))`);
  await knex.raw(`ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_status_check CHECK (status IN ('pending', 'delivered', 'failed'))`);
  await knex.raw(`CREATE UNIQUE INDEX outbox_messages_dedupe_idx ON outbox_messages (channel, dedupe_key) WHERE dedupe_key IS NOT NULL`);
  await knex.raw(`CREATE INDEX outbox_messages_due_idx ON outbox_messages (channel, next_attempt_at, id) WHERE status = 'pending'`);
  await knex.raw(`CREATE INDEX outbox_messages_account_idx ON outbox_messages (account_id, id)`);
  await knex.raw(`CREATE INDEX outbox_messages_endpoint_idx ON outbox_messages (endpoint_id, id) WHERE endpoint_id IS NOT NULL`);

  await knex.schema.createTable('outbox_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('message_id').notNullable().references('id').inTable('outbox_messages').onDelete('CASCADE');
    t.timestamp('attempted_at', { useTz: true }).notNullable();
    t.boolean('ok').notNullable();
    // The receiver's answer: an HTTP status for a webhook, an SMTP reply code for a mail.
    t.integer('response_code').nullable();
    t.text('detail').nullable();
    t.integer('duration_ms').notNullable();
    t.index(['message_id', 'id'], 'outbox_attempts_message_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('outbox_attempts');
  await knex.schema.dropTable('outbox_messages');
}
