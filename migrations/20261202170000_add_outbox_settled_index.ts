import type { Knex } from 'knex';

// The outbox clean-up (OUTBOX_RETENTION_DAYS, src/db/outbox.ts deleteSettledOutboxMessages) finds
// the messages settled before the cutoff through this index instead of reading the whole table
// every hour; pending messages are not in it.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX outbox_messages_settled_idx ON outbox_messages ((coalesce(delivered_at, failed_at))) WHERE status IN ('delivered', 'failed')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX outbox_messages_settled_idx');
}
