import type { Knex } from 'knex';

// Invoices, credit notes, taxes and the sellers' company profiles (issue 17).
// - company_profiles: one per seller (the admin for the operator, or a reseller), what its invoices show.
// - tax_rates (managed by the admin) and account_taxes (which apply to an account; none when the
//   account carries a tax_exempt_reason).
// - invoices: one per account and billing period (unique), numbered per issuer and document kind
//   from invoice_counters, a row locked FOR UPDATE in the issuing transaction so numbers have no gaps.
//   An issued document never changes: a trigger refuses any update but its payment status, and
//   any delete. A correction is a credit note (kind 'credit_note') pointing at the invoice.
// - ledger kind 'tax': the taxes of an invoice are charged when it is issued, one row per tax.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE accounts
    ADD COLUMN IF NOT EXISTS billing_day smallint NOT NULL DEFAULT 1,
    ADD COLUMN IF NOT EXISTS tax_exempt_reason text`);
  await knex.raw(`ALTER TABLE accounts
    ADD CONSTRAINT accounts_invoice_billing_day_check CHECK (billing_day BETWEEN 1 AND 31)`);

  await knex.schema.createTable('company_profiles', (t) => {
    t.bigInteger('account_id').primary().references('accounts.id').onDelete('CASCADE');
    t.text('legal_name').notNullable();
    t.text('address').notNullable().defaultTo('');
    t.text('tax_id').notNullable().defaultTo('');
    t.text('email').notNullable().defaultTo('');
    t.text('invoice_prefix').notNullable().defaultTo('INV-');
    t.integer('payment_terms_days').notNullable().defaultTo(14);
    t.text('footer').notNullable().defaultTo('');
    t.binary('logo');
    t.text('logo_type');
    t.timestamps(true, true);
  });
  await knex.raw(`ALTER TABLE company_profiles
    ADD CONSTRAINT company_profiles_terms_check CHECK (payment_terms_days BETWEEN 0 AND 365),
    ADD CONSTRAINT company_profiles_logo_type_check CHECK (logo_type IS NULL OR logo_type IN ('image/png', 'image/jpeg')),
    ADD CONSTRAINT company_profiles_name_check CHECK (length(trim(legal_name)) > 0)`);

  await knex.schema.createTable('tax_rates', (t) => {
    t.bigIncrements('id');
    t.text('name').notNullable();
    t.decimal('rate', 9, 4).notNullable();
    t.integer('position').notNullable().defaultTo(0);
    t.boolean('compound').notNullable().defaultTo(false);
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamps(true, true);
  });
  await knex.raw(`ALTER TABLE tax_rates
    ADD CONSTRAINT tax_rates_rate_check CHECK (rate >= 0 AND rate <= 100),
    ADD CONSTRAINT tax_rates_name_check CHECK (length(trim(name)) > 0)`);
  await knex.raw('CREATE UNIQUE INDEX tax_rates_name_unique ON tax_rates (lower(name))');

  await knex.schema.createTable('account_taxes', (t) => {
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.bigInteger('tax_rate_id').notNullable().references('tax_rates.id').onDelete('RESTRICT');
    t.primary(['account_id', 'tax_rate_id']);
  });

  await knex.schema.createTable('invoice_counters', (t) => {
    t.bigInteger('issuer_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.text('kind').notNullable();
    t.integer('last_number').notNullable().defaultTo(0);
    t.primary(['issuer_id', 'kind']);
  });

  await knex.schema.createTable('invoices', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable().defaultTo('invoice');
    t.bigInteger('issuer_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.integer('sequence').notNullable();
    t.text('number').notNullable();
    t.bigInteger('corrects_invoice_id').references('invoices.id').onDelete('RESTRICT');
    t.timestamp('period_start', { useTz: true }).notNullable();
    t.timestamp('period_end', { useTz: true }).notNullable();
    t.text('billing_mode').notNullable();
    t.text('currency').notNullable();
    t.decimal('opening_balance', 20, 6).notNullable();
    t.decimal('subtotal', 20, 6).notNullable();
    t.decimal('tax_total', 20, 6).notNullable();
    t.decimal('total', 20, 6).notNullable();
    t.decimal('payments_total', 20, 6).notNullable();
    t.decimal('closing_balance', 20, 6).notNullable();
    t.decimal('amount_due', 20, 6).notNullable();
    // What the document shows of both parties, frozen at issue: a later profile edit changes no invoice.
    t.jsonb('issuer_snapshot').notNullable();
    t.jsonb('customer_snapshot').notNullable();
    t.jsonb('lines').notNullable();
    t.jsonb('payments').notNullable();
    t.jsonb('taxes').notNullable();
    t.text('note').notNullable().defaultTo('');
    t.timestamp('issued_at', { useTz: true }).notNullable();
    t.timestamp('due_at', { useTz: true });
    t.text('status').notNullable();
    t.timestamp('paid_at', { useTz: true });
    t.index(['account_id', 'period_start']);
    t.index(['issuer_id', 'issued_at']);
  });
  await knex.raw(`ALTER TABLE invoices
    ADD CONSTRAINT invoices_kind_check CHECK (kind IN ('invoice', 'credit_note')),
    ADD CONSTRAINT invoices_status_check CHECK (status IN ('open', 'paid', 'credited')),
    ADD CONSTRAINT invoices_billing_mode_check CHECK (billing_mode IN ('prepaid', 'postpaid')),
    ADD CONSTRAINT invoices_number_unique UNIQUE (issuer_id, kind, sequence),
    ADD CONSTRAINT invoices_credit_note_check CHECK ((kind = 'credit_note') = (corrects_invoice_id IS NOT NULL))`);
  // One invoice per account and period, however many runs go at once.
  await knex.raw(`CREATE UNIQUE INDEX invoices_account_period_unique ON invoices (account_id, period_start) WHERE kind = 'invoice'`);

  await knex.raw(`
    CREATE OR REPLACE FUNCTION invoices_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an issued invoice cannot be deleted (invoice %)', OLD.id USING ERRCODE = 'P0001';
      END IF;
      IF (to_jsonb(NEW) - 'status' - 'paid_at') IS DISTINCT FROM (to_jsonb(OLD) - 'status' - 'paid_at') THEN
        RAISE EXCEPTION 'an issued invoice cannot be changed (invoice %): issue a credit note', OLD.id USING ERRCODE = 'P0001';
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_immutable()`);

  // The ledger's kinds plus 'tax', keeping whatever kinds the constraint lists now.
  await knex.raw(`
    DO $$
    DECLARE kinds text;
    BEGIN
      SELECT string_agg(quote_literal(k), ', ') INTO kinds FROM (
        SELECT DISTINCT m[1] AS k
          FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') AS m
         WHERE c.conname = 'ledger_entries_kind_check'
        UNION SELECT 'tax') known;
      ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
      EXECUTE 'ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN (' || kinds || '))';
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS invoices_immutable ON invoices');
  await knex.raw('DROP FUNCTION IF EXISTS invoices_immutable()');
  await knex.schema.dropTable('invoices');
  await knex.schema.dropTable('invoice_counters');
  await knex.schema.dropTable('account_taxes');
  await knex.schema.dropTable('tax_rates');
  await knex.schema.dropTable('company_profiles');
  await knex.raw('ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_invoice_billing_day_check');
  await knex.raw('ALTER TABLE accounts DROP COLUMN IF EXISTS tax_exempt_reason');
}
