import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row per run of the renewal job: the clock it ran at (settable, for catch-up and tests),
  // what it did and for how much. Counters are added batch by batch, in each batch's transaction,
  // so a run that stops half-way still tells exactly what it did.
  await knex.schema.createTable('billing_runs', (t) => {
    t.bigIncrements('id');
    t.text('trigger').notNullable();
    t.timestamp('clock_at', { useTz: true }).notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true });
    t.text('status').notNullable().defaultTo('running');
    t.integer('renewed_count').notNullable().defaultTo(0);
    t.decimal('renewed_total', 20, 6).notNullable().defaultTo(0);
    t.integer('reactivated_count').notNullable().defaultTo(0);
    t.integer('suspended_count').notNullable().defaultTo(0);
    t.decimal('suspended_total', 20, 6).notNullable().defaultTo(0);
    t.integer('released_count').notNullable().defaultTo(0);
    t.integer('expired_count').notNullable().defaultTo(0);
    t.integer('failed_count').notNullable().defaultTo(0);
    t.text('error');
  });
  await knex.raw(`
    ALTER TABLE billing_runs
      ADD CONSTRAINT billing_runs_trigger_check CHECK (trigger IN ('schedule', 'command', 'payment')),
      ADD CONSTRAINT billing_runs_status_check CHECK (status IN ('running', 'finished', 'failed'))
  `);
  await knex.raw('CREATE INDEX billing_runs_started_idx ON billing_runs (started_at DESC, id DESC)');

  // A subscription's renewal history: each period charged (with its ledger row), each suspension,
  // reactivation, release and expiry, and the run that did it.
  await knex.schema.createTable('subscription_events', (t) => {
    t.bigIncrements('id');
    t.bigInteger('subscription_id').notNullable().references('subscriptions.id').onDelete('CASCADE');
    t.bigInteger('billing_run_id').references('billing_runs.id').onDelete('SET NULL');
    t.text('kind').notNullable();
    t.timestamp('period_start', { useTz: true });
    t.timestamp('period_end', { useTz: true });
    t.decimal('amount', 20, 6);
    t.bigInteger('ledger_entry_id').references('ledger_entries.id').onDelete('RESTRICT');
    t.text('note');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['subscription_id', 'id']);
    t.index(['billing_run_id', 'kind']);
  });
  await knex.raw(`
    ALTER TABLE subscription_events
      ADD CONSTRAINT subscription_events_kind_check CHECK (kind IN ('renewed', 'suspended', 'reactivated', 'released', 'expired'))
  `);
  // A period is renewed once (the ledger's idempotency key guards the money; this, the history).
  await knex.raw(
    "CREATE UNIQUE INDEX subscription_events_renewed_unique ON subscription_events (subscription_id, period_start) WHERE kind = 'renewed'",
  );
  // The due claim walks (next_billing_at, id): this index gives that order without a sort.
  await knex.raw("CREATE INDEX subscriptions_due_order_idx ON subscriptions (next_billing_at, id) WHERE status <> 'ended'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS subscriptions_due_order_idx');
  await knex.schema.dropTable('subscription_events');
  await knex.schema.dropTable('billing_runs');
}
