import type { Knex } from 'knex';

// Single-use links that let someone set an account's password without knowing the current one: a
// password reset (30 minutes) or the welcome link of an account created for someone (days). Only
// the SHA-256 of the token is kept, so a copy of the database opens no account; using a link marks
// it used in the same statement that checks it, so it works once even under two clicks at once.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('account_tokens', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('purpose').notNullable();
    t.text('token_hash').notNullable().unique('account_tokens_hash_unique');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id'], 'account_tokens_account_idx');
  });
  await knex.raw(`ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('reset', 'welcome'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('account_tokens');
}
