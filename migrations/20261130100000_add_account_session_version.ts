import type { Knex } from 'knex';

// A session remembers the account's session_version of its login; a password change, a password
// reset and a suspension or closure move it on, so the sessions made before are refused, on every
// app instance, even one whose row a request in flight writes back. The index finds an account's
// session rows to delete them at once.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.integer('session_version').notNullable().defaultTo(0);
  });
  await knex.raw(`CREATE INDEX session_account_idx ON session ((sess->>'accountId'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS session_account_idx');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('session_version');
  });
}
