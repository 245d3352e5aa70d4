import type { Knex } from 'knex';

// A Checkout payment nobody finished: Stripe closes the session after its lifetime (24 h by
// default) and says so with checkout.session.expired; the payment job marks the ones whose webhook
// never came. 'expired' credits nothing, and a late success still credits (its ledger key decides).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE payments DROP CONSTRAINT payments_status_check`);
  await knex.raw(`ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'expired', 'refunded', 'partially_refunded'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE payments SET status = 'failed', failure_message = coalesce(failure_message, 'Expired unpaid') WHERE status = 'expired'`);
  await knex.raw(`ALTER TABLE payments DROP CONSTRAINT payments_status_check`);
  await knex.raw(`ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded', 'partially_refunded'))`);
}
