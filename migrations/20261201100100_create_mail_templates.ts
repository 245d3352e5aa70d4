import type { Knex } from 'knex';

// Mail templates that replace the built-in defaults: the operator's (owner_id null) for the mails
// of its direct accounts, a reseller's for its customers' mails. A template that failed to render
// is flagged (broken_at, broken_error) and the default is sent instead until it is edited.
// mail_senders: the sender name a reseller's customers see instead of the operator's brand.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_templates', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('owner_id').nullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('event').notNullable();
    t.text('subject').notNullable();
    t.text('html').notNullable();
    t.text('text').notNullable();
    t.timestamp('broken_at', { useTz: true }).nullable();
    t.text('broken_error').nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // One template per owner and event; the operator's row has no owner.
  await knex.raw('CREATE UNIQUE INDEX mail_templates_owner_event_unique ON mail_templates (coalesce(owner_id, 0), event)');

  await knex.schema.createTable('mail_senders', (t) => {
    t.bigInteger('account_id').primary().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('sender_name').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE mail_senders ADD CONSTRAINT mail_senders_name_check CHECK (length(trim(sender_name)) > 0 AND sender_name !~ '[\\r\\n]')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mail_senders');
  await knex.schema.dropTable('mail_templates');
}
