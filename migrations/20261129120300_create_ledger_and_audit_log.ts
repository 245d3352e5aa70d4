import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Append-only: every change of a balance is one row here, written in the same transaction
  // as the balance. A correction is a new row pointing at the row it corrects.
  await knex.schema.createTable('ledger_entries', (t) => {
    t.bigIncrements('id');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.decimal('amount', 20, 6).notNullable();
    t.decimal('balance_after', 20, 6).notNullable();
    t.text('kind').notNullable();
    t.text('description').notNullable();
    t.text('reference_type');
    t.bigInteger('reference_id');
    t.bigInteger('corrects_entry_id').references('ledger_entries.id').onDelete('RESTRICT');
    t.text('idempotency_key').notNullable();
    t.bigInteger('created_by').references('accounts.id').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id', 'created_at']);
    t.index(['reference_type', 'reference_id']);
  });
  await knex.raw(`
    ALTER TABLE ledger_entries
      ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN (
        'payment', 'refill', 'adjustment', 'refund', 'setup_fee', 'recurring_fee', 'call_charge')),
      ADD CONSTRAINT ledger_entries_idempotency_key_unique UNIQUE (idempotency_key)
  `);

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.bigInteger('actor_id').references('accounts.id').onDelete('RESTRICT');
    t.text('action').notNullable();
    t.text('entity_type').notNullable();
    t.bigInteger('entity_id');
    t.jsonb('before');
    t.jsonb('after');
    t.text('ip');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['entity_type', 'entity_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
  await knex.schema.dropTable('ledger_entries');
}
