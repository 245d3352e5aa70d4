import type { Knex } from 'knex';

// What each account wants to hear: the optional notices it turned off and its low-balance
// threshold (null: no warning), plus billing contacts, extra addresses that get the account's
// mails besides its own login address. An account without a row has the defaults (all notices on).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notification_preferences', (t) => {
    t.bigInteger('account_id').primary().references('id').inTable('accounts').onDelete('CASCADE');
    t.specificType('disabled_events', 'text[]').notNullable().defaultTo(knex.raw(`'{}'::text[]`));
    t.decimal('low_balance_threshold', 20, 6).nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('billing_contacts', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('email').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // One address once per account, whatever its case.
  await knex.raw('CREATE UNIQUE INDEX billing_contacts_account_email_unique ON billing_contacts (account_id, lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_contacts');
  await knex.schema.dropTable('notification_preferences');
}
