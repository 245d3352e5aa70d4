import type { Knex } from 'knex';

// A hold locks the prices: each held number keeps the setup fee and the monthly fee its holder
// would pay at hold time, and an order of it while the hold lives charges those (a price change
// in between does not reach the holder). Holds made before this have none: they order at the
// current prices.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('number_hold_items', (t) => {
    t.decimal('setup_fee', 20, 6).nullable();
    t.decimal('monthly_fee', 20, 6).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('number_hold_items', (t) => {
    t.dropColumn('setup_fee');
    t.dropColumn('monthly_fee');
  });
}
