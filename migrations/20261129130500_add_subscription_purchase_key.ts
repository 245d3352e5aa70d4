import type { Knex } from 'knex';

// The random key a purchase form carries: a resubmitted form finds the subscription it already
// made instead of buying again, also when the purchase charged nothing (free or assigned).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('subscriptions', (t) => {
    t.text('purchase_key');
  });
  await knex.raw(
    'CREATE UNIQUE INDEX subscriptions_purchase_key_unique ON subscriptions (account_id, purchase_key) WHERE purchase_key IS NOT NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS subscriptions_purchase_key_unique');
  await knex.schema.alterTable('subscriptions', (t) => {
    t.dropColumn('purchase_key');
  });
}
