import type { Knex } from 'knex';

// Who holds a number, as one value the DID list filters on and an index can cover. The list's
// query writes the same expression (src/db/repos/dids.ts HOLDER_SQL).
const HOLDER = "(CASE WHEN customer_id IS NOT NULL THEN 'customer' WHEN reseller_id IS NOT NULL THEN 'reseller' ELSE 'stock' END)";

export async function up(knex: Knex): Promise<void> {
  // The admin's DID list stays fast at a million numbers: each filter has an index that also
  // gives the default order (number), and each sort has its own.
  await knex.raw('CREATE INDEX products_country_number_idx ON products (country, number)');
  await knex.raw('CREATE INDEX products_province_idx ON products (lower(province), number)');
  await knex.raw('CREATE INDEX products_city_idx ON products (lower(city), number)');
  await knex.raw('CREATE INDEX products_provider_number_idx ON products (provider_id, number)');
  await knex.raw('CREATE INDEX products_status_number_idx ON products (status, number)');
  await knex.raw('CREATE INDEX products_billing_type_number_idx ON products (billing_type, number)');
  await knex.raw(`CREATE INDEX products_holder_number_idx ON products (${HOLDER}, number)`);
  await knex.raw('CREATE INDEX products_monthly_fee_idx ON products (monthly_fee, id)');
  await knex.raw('CREATE INDEX products_created_idx ON products (created_at, id)');
  await knex.raw('CREATE INDEX products_archived_idx ON products (archived_at) WHERE archived_at IS NOT NULL');
  // "Number contains" needs trigrams. pg_trgm ships with PostgreSQL (and is a trusted extension),
  // but not with the embedded database, whose small data does without.
  const trgm = await knex.raw("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'");
  if (trgm.rows.length > 0) {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await knex.raw('CREATE INDEX products_number_trgm_idx ON products USING gin (number gin_trgm_ops)');
  }

  // An uploaded CSV waits here between its preview and "Import valid rows", so the rows written
  // are the rows previewed, checked again at commit.
  await knex.schema.createTable('did_imports', (t) => {
    t.bigIncrements('id');
    t.bigInteger('created_by').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.text('filename').notNullable();
    t.text('content').notNullable();
    t.bigInteger('default_provider_id').references('providers.id').onDelete('RESTRICT');
    t.string('default_country', 2);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('committed_at', { useTz: true });
    t.integer('imported_count');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('did_imports');
  for (const index of [
    'products_number_trgm_idx', 'products_archived_idx', 'products_created_idx', 'products_monthly_fee_idx',
    'products_holder_number_idx', 'products_billing_type_number_idx', 'products_status_number_idx',
    'products_provider_number_idx', 'products_city_idx', 'products_province_idx', 'products_country_number_idx',
  ]) {
    await knex.raw(`DROP INDEX IF EXISTS ${index}`);
  }
}
