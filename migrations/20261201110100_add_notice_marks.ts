import type { Knex } from 'knex';

// What the notice jobs have told already, so each notice goes out once however often they run:
// an account's low-balance warning is marked until its funds are back at its threshold (one warning
// per crossing); a subscription remembers the due date (renewal or term end) it was warned of (one
// notice per period). The mark is set by the UPDATE that decides to warn: two runners at once
// cannot both set it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.timestamp('low_balance_notified_at', { useTz: true }).nullable();
  });
  await knex.schema.alterTable('subscriptions', (t) => {
    t.timestamp('notified_due_at', { useTz: true }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('subscriptions', (t) => {
    t.dropColumn('notified_due_at');
  });
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('low_balance_notified_at');
  });
}
