import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.bigIncrements('id');
    t.text('role').notNullable();
    // The account that sells to this one: the admin or a reseller. Null only for admins.
    t.bigInteger('parent_id').references('accounts.id').onDelete('RESTRICT');
    t.text('name').notNullable();
    t.text('email').notNullable();
    t.text('password_hash').notNullable();
    t.text('status').notNullable().defaultTo('active');
    t.text('billing_mode').notNullable().defaultTo('prepaid');
    t.decimal('balance', 20, 6).notNullable().defaultTo(0);
    t.decimal('credit_limit', 20, 6).notNullable().defaultTo(0);
    // 0 means unlimited, as for a DID's Concurrent Calls.
    t.integer('max_concurrent_calls').notNullable().defaultTo(0);
    t.timestamp('last_login_at', { useTz: true });
    t.timestamps(true, true);
    t.index(['parent_id', 'role']);
  });
  await knex.raw(`
    ALTER TABLE accounts
      ADD CONSTRAINT accounts_role_check CHECK (role IN ('admin', 'reseller', 'customer')),
      ADD CONSTRAINT accounts_status_check CHECK (status IN ('active', 'suspended', 'closed')),
      ADD CONSTRAINT accounts_billing_mode_check CHECK (billing_mode IN ('prepaid', 'postpaid')),
      ADD CONSTRAINT accounts_parent_check CHECK ((role = 'admin') = (parent_id IS NULL)),
      ADD CONSTRAINT accounts_credit_limit_check CHECK (credit_limit >= 0),
      ADD CONSTRAINT accounts_max_concurrent_calls_check CHECK (max_concurrent_calls >= 0),
      ADD CONSTRAINT accounts_name_check CHECK (length(trim(name)) > 0)
  `);
  // Emails are unique whatever their case: "Bob@x.com" and "bob@x.com" are one login.
  await knex.raw('CREATE UNIQUE INDEX accounts_email_unique ON accounts (lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('accounts');
}
