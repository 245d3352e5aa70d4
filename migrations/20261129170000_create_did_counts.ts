import type { Knex } from 'knex';

// The DID list shows the exact count of its filtered rows; counting a million rows on each page
// view takes far longer than the page may. So DIDs are counted here by every value the list
// filters on (except "number contains"), kept exact by statement-level triggers that add each
// statement's net change per group in one sorted upsert. Province and city are kept lowercased, as
// the list compares them. Groups whose net change is zero (edits of terms) are not touched, so
// only a change of holder, status, place, provider, billing type or archiving writes here.
const GROUP = ['country', 'province', 'city', 'provider_id', 'status', 'holder', 'billing_type', 'archived'];
const GROUP_OF_ROW = `coalesce(country, ''), lower(coalesce(province, '')), lower(coalesce(city, '')), coalesce(provider_id, 0), status,
  (CASE WHEN customer_id IS NOT NULL THEN 'customer' WHEN reseller_id IS NOT NULL THEN 'reseller' ELSE 'stock' END),
  billing_type, archived_at IS NOT NULL`;
const UPSERT = `INSERT INTO did_counts AS c (${GROUP.join(', ')}, n)`;
const ON_CONFLICT = `ON CONFLICT (${GROUP.join(', ')}) DO UPDATE SET n = c.n + EXCLUDED.n`;
const POSITIONS = '1, 2, 3, 4, 5, 6, 7, 8';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE did_counts (
      country text NOT NULL,
      province text NOT NULL,
      city text NOT NULL,
      provider_id bigint NOT NULL,
      status text NOT NULL,
      holder text NOT NULL,
      billing_type text NOT NULL,
      archived boolean NOT NULL,
      n bigint NOT NULL,
      PRIMARY KEY (${GROUP.join(', ')})
    )`);
  await knex.raw(`${UPSERT} SELECT ${GROUP_OF_ROW}, count(*) FROM products WHERE category = 'did' GROUP BY ${POSITIONS}`);
  await knex.raw(`
    CREATE FUNCTION did_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${UPSERT} SELECT ${GROUP_OF_ROW}, count(*) FROM new_rows WHERE category = 'did'
          GROUP BY ${POSITIONS} ORDER BY ${POSITIONS} ${ON_CONFLICT};
      ELSIF TG_OP = 'DELETE' THEN
        ${UPSERT} SELECT ${GROUP_OF_ROW}, -count(*) FROM old_rows WHERE category = 'did'
          GROUP BY ${POSITIONS} ORDER BY ${POSITIONS} ${ON_CONFLICT};
      ELSE
        ${UPSERT} SELECT ${POSITIONS.split(', ').map((p) => `g${p}`).join(', ')}, sum(d) FROM (
            SELECT ${GROUP_OF_ROW}, -1 AS d FROM old_rows WHERE category = 'did'
            UNION ALL
            SELECT ${GROUP_OF_ROW}, 1 AS d FROM new_rows WHERE category = 'did'
          ) AS changes (g1, g2, g3, g4, g5, g6, g7, g8, d)
          GROUP BY ${POSITIONS} HAVING sum(d) <> 0 ORDER BY ${POSITIONS} ${ON_CONFLICT};
      END IF;
      RETURN NULL;
    END
    $$`);
  await knex.raw('CREATE TRIGGER did_counts_insert AFTER INSERT ON products REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION did_counts_apply()');
  await knex.raw('CREATE TRIGGER did_counts_delete AFTER DELETE ON products REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION did_counts_apply()');
  await knex.raw(
    'CREATE TRIGGER did_counts_update AFTER UPDATE ON products REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION did_counts_apply()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS did_counts_update ON products');
  await knex.raw('DROP TRIGGER IF EXISTS did_counts_delete ON products');
  await knex.raw('DROP TRIGGER IF EXISTS did_counts_insert ON products');
  await knex.raw('DROP FUNCTION IF EXISTS did_counts_apply()');
  await knex.raw('DROP TABLE IF EXISTS did_counts');
}
