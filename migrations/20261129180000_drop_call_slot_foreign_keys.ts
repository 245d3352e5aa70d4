import type { Knex } from 'knex';

// Every route request inserts a slot; its foreign keys made each insert share-lock the referenced
// rows, and all concurrent calls of a reseller (and of a switch) share-locked the same row: Postgres
// then builds a multixact per locker, and route requests queued behind one another. Slots are
// short-lived counters, checked by the code that writes them and cleared by CDRs or expiry, so they
// go without foreign keys; so does a call's switch (switches are disabled, never deleted).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE call_slots
      DROP CONSTRAINT IF EXISTS call_slots_product_id_foreign,
      DROP CONSTRAINT IF EXISTS call_slots_account_id_foreign,
      DROP CONSTRAINT IF EXISTS call_slots_reseller_id_foreign,
      DROP CONSTRAINT IF EXISTS call_slots_switch_id_foreign
  `);
  await knex.raw('ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_switch_id_foreign');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE call_slots
      ADD CONSTRAINT call_slots_product_id_foreign FOREIGN KEY (product_id) REFERENCES products(id) ON DELETE CASCADE,
      ADD CONSTRAINT call_slots_account_id_foreign FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
      ADD CONSTRAINT call_slots_reseller_id_foreign FOREIGN KEY (reseller_id) REFERENCES accounts(id) ON DELETE CASCADE,
      ADD CONSTRAINT call_slots_switch_id_foreign FOREIGN KEY (switch_id) REFERENCES switches(id) ON DELETE SET NULL
  `);
  await knex.raw('ALTER TABLE calls ADD CONSTRAINT calls_switch_id_foreign FOREIGN KEY (switch_id) REFERENCES switches(id) ON DELETE SET NULL');
}
