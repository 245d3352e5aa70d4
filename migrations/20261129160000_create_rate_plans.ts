import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A named set of per-minute terms that many numbers share. owner_id null is the operator's
  // (the admins') plan; a reseller's id is that reseller's resale plan, which may be absolute
  // terms or a markup over its buy terms.
  await knex.schema.createTable('rate_plans', (t) => {
    t.bigIncrements('id');
    t.bigInteger('owner_id').references('accounts.id').onDelete('RESTRICT');
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('kind').notNullable().defaultTo('absolute');
    t.bigInteger('created_by').references('accounts.id').onDelete('RESTRICT');
    t.timestamp('archived_at', { useTz: true });
    t.timestamps(true, true);
  });
  await knex.raw(`
    ALTER TABLE rate_plans
      ADD CONSTRAINT rate_plans_kind_check CHECK (kind IN ('absolute', 'markup')),
      ADD CONSTRAINT rate_plans_admin_absolute_check CHECK (owner_id IS NOT NULL OR kind = 'absolute'),
      ADD CONSTRAINT rate_plans_name_check CHECK (length(trim(name)) > 0)
  `);
  // Names are unique per owner whatever their case; the operator's plans share owner 0.
  await knex.raw('CREATE UNIQUE INDEX rate_plans_owner_name_unique ON rate_plans (coalesce(owner_id, 0), lower(name))');

  // A plan's terms from a moment on. Versions are never edited: a change is a new version, so
  // a call rated under an older one can always say what it was rated with.
  await knex.schema.createTable('rate_plan_versions', (t) => {
    t.bigIncrements('id');
    t.bigInteger('rate_plan_id').notNullable().references('rate_plans.id').onDelete('CASCADE');
    t.timestamp('effective_from', { useTz: true }).notNullable();
    // Absolute terms.
    t.decimal('connection_cost', 20, 6);
    t.integer('grace_seconds');
    t.decimal('cost_per_minute', 20, 6);
    t.integer('initial_increment');
    t.integer('increment');
    // Markup over the buy terms: sell = buy * (1 + percent / 100) + amount, per amount term.
    t.decimal('connection_markup_percent', 10, 4);
    t.decimal('connection_markup_amount', 20, 6);
    t.decimal('per_minute_markup_percent', 10, 4);
    t.decimal('per_minute_markup_amount', 20, 6);
    t.bigInteger('created_by').references('accounts.id').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['rate_plan_id', 'effective_from']);
  });
  await knex.raw(`
    ALTER TABLE rate_plan_versions
      ADD CONSTRAINT rate_plan_versions_shape_check CHECK (
        (connection_cost IS NOT NULL AND grace_seconds IS NOT NULL AND cost_per_minute IS NOT NULL
          AND initial_increment IS NOT NULL AND increment IS NOT NULL
          AND connection_markup_percent IS NULL AND connection_markup_amount IS NULL
          AND per_minute_markup_percent IS NULL AND per_minute_markup_amount IS NULL)
        OR
        (connection_cost IS NULL AND grace_seconds IS NULL AND cost_per_minute IS NULL
          AND initial_increment IS NULL AND increment IS NULL
          AND connection_markup_percent IS NOT NULL AND connection_markup_amount IS NOT NULL
          AND per_minute_markup_percent IS NOT NULL AND per_minute_markup_amount IS NOT NULL)),
      ADD CONSTRAINT rate_plan_versions_amounts_check CHECK (connection_cost >= 0 AND cost_per_minute >= 0),
      ADD CONSTRAINT rate_plan_versions_seconds_check CHECK (grace_seconds >= 0 AND initial_increment >= 0 AND increment >= 0),
      ADD CONSTRAINT rate_plan_versions_percent_check CHECK (connection_markup_percent >= -100 AND per_minute_markup_percent >= -100)
  `);

  // null = the number's own (custom) terms, as before plans existed.
  await knex.schema.alterTable('products', (t) => {
    t.bigInteger('rate_plan_id').references('rate_plans.id').onDelete('RESTRICT');
  });
  await knex.raw('CREATE INDEX products_rate_plan_idx ON products (rate_plan_id, number) WHERE rate_plan_id IS NOT NULL');
  // A reseller's resale plan for a number it holds; null = the sell terms of the row itself.
  await knex.schema.alterTable('reseller_prices', (t) => {
    t.bigInteger('rate_plan_id').references('rate_plans.id').onDelete('RESTRICT');
  });
  await knex.raw('CREATE INDEX reseller_prices_rate_plan_idx ON reseller_prices (rate_plan_id) WHERE rate_plan_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reseller_prices', (t) => {
    t.dropColumn('rate_plan_id');
  });
  await knex.schema.alterTable('products', (t) => {
    t.dropColumn('rate_plan_id');
  });
  await knex.schema.dropTable('rate_plan_versions');
  await knex.schema.dropTable('rate_plans');
}
