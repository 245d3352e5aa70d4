import type { Knex } from 'knex';

// The period a recurring fee covers, stored with its ledger row when it is charged (the first
// period of a purchase, each renewal), so an invoice shows the real period: a prorated first
// calendar month from the purchase day to the billing day, each whole month after it, an annual
// term to its anniversary. It was derived before from the subscription's billing days, which is
// wrong for calendar terms. End exclusive, like subscriptions.next_billing_at. Rows written before
// this migration have none; the invoice falls back to the old derivation for them.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE ledger_entries
      ADD COLUMN period_start timestamptz,
      ADD COLUMN period_end timestamptz,
      ADD CONSTRAINT ledger_entries_period_check CHECK (period_end IS NULL OR (period_start IS NOT NULL AND period_end > period_start))
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_period_check, DROP COLUMN period_end, DROP COLUMN period_start');
}
