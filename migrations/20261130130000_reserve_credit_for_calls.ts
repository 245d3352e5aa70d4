import type { Knex } from 'knex';
import { createSqlFunctions, type SqlFunctionName } from '../src/db/sql/index.ts';
import { createTakeCallSlot } from './20261129200000_create_call_holdings_and_take_call_slot.ts';
import { up as restoreTakeCallSlots } from './20261129210000_take_call_slots_in_batches.ts';
import { up as restoreChargeCdrBatch } from './20261129220000_create_charge_cdr_batch.ts';

// Credit reserved for calls in progress (issue 13, BILLING.md "Accounts and funds"): a route
// request reserves the cost of the call's allowance at every level of its chain, in the statement
// that takes its concurrency slot; the CDR charges and releases it; an expired one is released and
// listed. The functions' text is in src/db/sql/, one file each.
//
// call_slots carries the reservation (the allowance and the amount per level); account_reservations
// the total per account, so a route request reads one row per account, not every call in progress
// (a reseller may have thousands). Neither has foreign keys, for the reason call_slots lost its own
// (20261129180000): an insert would share-lock the account row that purchases and CDRs lock.
const FUNCTIONS: SqlFunctionName[] = [
  'call_billed_cost', 'call_cost', 'call_allowance', 'rate_terms_in_force', 'lock_call_reservations',
  'take_call_slots', 'release_call_slots', 'charge_cdr_batch',
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE call_slots
      ADD COLUMN allowed_seconds integer,
      ADD COLUMN owner_reserved numeric(20,6) NOT NULL DEFAULT 0,
      ADD COLUMN reseller_reserved numeric(20,6) NOT NULL DEFAULT 0`);
  // Expiry looks for the oldest expired slots first.
  await knex.raw('CREATE INDEX call_slots_expires_idx ON call_slots (expires_at)');
  await knex.raw(`
    CREATE TABLE account_reservations (
      account_id bigint PRIMARY KEY,
      reserved numeric(20,6) NOT NULL DEFAULT 0)`);
  await knex.raw(`
    CREATE TABLE expired_call_reservations (
      call_uuid text PRIMARY KEY,
      product_id bigint NOT NULL,
      account_id bigint NOT NULL,
      reseller_id bigint,
      switch_id bigint,
      allowed_seconds integer,
      owner_reserved numeric(20,6) NOT NULL,
      reseller_reserved numeric(20,6) NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      released_at timestamptz NOT NULL)`);
  await knex.raw('CREATE INDEX expired_call_reservations_released_idx ON expired_call_reservations (released_at, call_uuid)');
  // What each level had reserved for the call it is charged for; null when nothing was.
  await knex.raw('ALTER TABLE call_charges ADD COLUMN reserved numeric(20,6)');

  await knex.raw(`
    CREATE TYPE rate_terms AS (
      connection_cost numeric, grace_seconds integer, cost_per_minute numeric, initial_increment integer, increment integer)`);
  await knex.raw('DROP FUNCTION take_call_slots(call_slot_request[])');
  await knex.raw('DROP TYPE call_slot_request');
  await knex.raw(`
    CREATE TYPE call_slot_request AS (
      ord integer, try boolean, call_uuid text, product_id bigint, account_id bigint, reseller_id bigint, switch_id bigint,
      at timestamptz, did_limit integer, owner_limit integer, reseller_limit integer,
      ring_seconds integer, cap_seconds integer, margin_seconds integer, decimals integer,
      owner_terms rate_terms, reseller_terms rate_terms)`);
  await knex.raw('DROP FUNCTION charge_cdr_batch(cdr_call[], cdr_charge[], text[], bigint[], timestamptz)');
  await createSqlFunctions(knex, FUNCTIONS);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION charge_cdr_batch(cdr_call[], cdr_charge[], text[], timestamptz)');
  await knex.raw('DROP FUNCTION release_call_slots(text[], timestamptz, integer)');
  await knex.raw('DROP FUNCTION take_call_slots(call_slot_request[])');
  await knex.raw('DROP TYPE call_slot_request');
  await knex.raw('DROP FUNCTION lock_call_reservations(bigint[], timestamptz, boolean)');
  await knex.raw('DROP FUNCTION rate_terms_in_force(bigint, timestamptz, rate_terms, rate_terms)');
  await knex.raw('DROP FUNCTION call_allowance(rate_terms, numeric, integer, integer)');
  await knex.raw('DROP FUNCTION call_cost(rate_terms, integer, integer)');
  await knex.raw('DROP FUNCTION call_billed_cost(rate_terms, integer, integer)');
  await knex.raw('DROP TYPE rate_terms');
  await knex.raw('ALTER TABLE call_charges DROP COLUMN reserved');
  await knex.raw('DROP TABLE expired_call_reservations');
  await knex.raw('DROP TABLE account_reservations');
  await knex.raw('DROP INDEX call_slots_expires_idx');
  await knex.raw('ALTER TABLE call_slots DROP COLUMN allowed_seconds, DROP COLUMN owner_reserved, DROP COLUMN reseller_reserved');
  // The batch versions of the migrations before: the slot request type and both functions.
  await knex.raw('DROP TYPE cdr_charge');
  await knex.raw('DROP TYPE cdr_call');
  await restoreChargeCdrBatch(knex);
  await createTakeCallSlot(knex);
  await restoreTakeCallSlots(knex);
}
