import type { Knex } from 'knex';

// The billing run that wrote a renewal charge: the run's page lists its charges from the ledger
// itself, with no second row per renewal. A plain id rather than a foreign key: the check would
// cost a look-up per charge, and a run that charged something is never deleted.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ledger_entries', (t) => {
    t.bigInteger('billing_run_id');
  });
  await knex.raw('CREATE INDEX ledger_entries_billing_run_idx ON ledger_entries (billing_run_id) WHERE billing_run_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS ledger_entries_billing_run_idx');
  await knex.schema.alterTable('ledger_entries', (t) => {
    t.dropColumn('billing_run_id');
  });
}
