import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The switches (FreeSWITCH, Kamailio...) allowed to ask for routes and send CDRs. Only a hash of
  // each token is kept: the token itself is shown once, when the switch is registered.
  await knex.schema.createTable('switches', (t) => {
    t.bigIncrements('id');
    t.text('name').notNullable();
    t.text('token_hash').notNullable();
    // The token's last characters, so an operator can tell which token a switch holds.
    t.text('token_hint').notNullable();
    // IPs and CIDRs the switch may call from; empty = any address.
    t.jsonb('allowed_addresses').notNullable().defaultTo('[]');
    t.text('status').notNullable().defaultTo('active');
    t.bigInteger('created_by').references('accounts.id').onDelete('RESTRICT');
    t.timestamp('last_seen_at', { useTz: true });
    t.timestamps(true, true);
  });
  await knex.raw(`
    ALTER TABLE switches
      ADD CONSTRAINT switches_status_check CHECK (status IN ('active', 'disabled')),
      ADD CONSTRAINT switches_name_check CHECK (length(trim(name)) > 0)
  `);
  await knex.raw('CREATE UNIQUE INDEX switches_name_unique ON switches (lower(name))');
  await knex.raw('CREATE UNIQUE INDEX switches_token_hash_unique ON switches (token_hash)');

  // A call in progress holds a slot from its authorisation until its CDR arrives or expires_at
  // passes (its maximum duration plus a margin), whichever comes first. Counting live slots under
  // row locks keeps the concurrent-call limits across any number of switches and app instances.
  await knex.schema.createTable('call_slots', (t) => {
    t.text('call_uuid').primary();
    t.bigInteger('product_id').notNullable().references('products.id').onDelete('CASCADE');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    // The reseller in the chain above a customer, whose own limit counts this call too.
    t.bigInteger('reseller_id').references('accounts.id').onDelete('CASCADE');
    t.bigInteger('switch_id').references('switches.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX call_slots_product_idx ON call_slots (product_id, expires_at)');
  await knex.raw('CREATE INDEX call_slots_account_idx ON call_slots (account_id, expires_at)');
  await knex.raw('CREATE INDEX call_slots_reseller_idx ON call_slots (reseller_id, expires_at) WHERE reseller_id IS NOT NULL');

  // One row per call (one CDR), stored once: the uuid is unique, so a replayed CDR changes nothing.
  await knex.schema.createTable('calls', (t) => {
    t.bigIncrements('id');
    t.text('uuid').notNullable();
    t.bigInteger('switch_id').references('switches.id').onDelete('SET NULL');
    t.text('source').notNullable();
    t.bigInteger('product_id').references('products.id').onDelete('RESTRICT');
    t.text('number').notNullable();
    t.text('caller').notNullable().defaultTo('');
    // Who owned the number for this call, and the reseller above it (null for a direct customer).
    t.bigInteger('owner_id').references('accounts.id').onDelete('RESTRICT');
    t.bigInteger('reseller_id').references('accounts.id').onDelete('RESTRICT');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('answered_at', { useTz: true });
    t.timestamp('ended_at', { useTz: true });
    t.integer('duration_seconds').notNullable();
    t.integer('billsec').notNullable();
    t.text('hangup_cause');
    // The owner's charge, copied from its call_charges row so the lists need no join.
    t.decimal('cost', 20, 6).notNullable().defaultTo(0);
    t.integer('billed_seconds').notNullable().defaultTo(0);
    t.timestamp('received_at', { useTz: true }).notNullable();
  });
  await knex.raw(`
    ALTER TABLE calls
      ADD CONSTRAINT calls_source_check CHECK (source IN ('freeswitch', 'api')),
      ADD CONSTRAINT calls_seconds_check CHECK (duration_seconds >= 0 AND billsec >= 0 AND billed_seconds >= 0)
  `);
  await knex.raw('CREATE UNIQUE INDEX calls_uuid_unique ON calls (uuid)');
  await knex.raw('CREATE INDEX calls_started_idx ON calls (started_at, id)');
  await knex.raw('CREATE INDEX calls_owner_started_idx ON calls (owner_id, started_at)');
  await knex.raw('CREATE INDEX calls_reseller_started_idx ON calls (reseller_id, started_at) WHERE reseller_id IS NOT NULL');
  await knex.raw('CREATE INDEX calls_number_started_idx ON calls (number, started_at)');

  // What each account in the chain paid for a call, at the terms it was rated with (a snapshot,
  // so the cost never changes after the fact), with the ledger row that charged it.
  await knex.schema.createTable('call_charges', (t) => {
    t.bigInteger('call_id').notNullable().references('calls.id').onDelete('CASCADE');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    // 0 = the owner, 1 = the reseller above it.
    t.smallint('level').notNullable();
    t.text('role').notNullable();
    t.jsonb('terms').notNullable();
    t.decimal('cost', 20, 6).notNullable();
    t.integer('billed_seconds').notNullable();
    t.jsonb('breakdown').notNullable();
    t.bigInteger('ledger_entry_id').references('ledger_entries.id').onDelete('RESTRICT');
    t.primary(['call_id', 'level']);
  });
  await knex.raw('CREATE INDEX call_charges_account_idx ON call_charges (account_id)');

  // CDRs that could not be stored as calls, with the reason: kept for the admin, never dropped.
  await knex.schema.createTable('rejected_cdrs', (t) => {
    t.bigIncrements('id');
    t.bigInteger('switch_id').references('switches.id').onDelete('SET NULL');
    t.text('source').notNullable();
    t.text('uuid');
    t.text('reason').notNullable();
    t.text('payload').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX rejected_cdrs_received_idx ON rejected_cdrs (received_at, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rejected_cdrs');
  await knex.schema.dropTable('call_charges');
  await knex.schema.dropTable('calls');
  await knex.schema.dropTable('call_slots');
  await knex.schema.dropTable('switches');
}
