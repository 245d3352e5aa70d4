// A cheap fingerprint of the database's business tables, to prove that a refused request changed
// nothing: per table its row count and the sum of a hash of every row (so an update shows too).
// Sessions are left out on purpose: a refused form still touches its session.
import type { Knex } from 'knex';

export const FINGERPRINTED_TABLES = [
  'accounts', 'audit_log', 'billing_runs', 'call_charges', 'call_slots', 'calls', 'did_counts', 'did_imports', 'ledger_entries',
  'products', 'providers', 'rate_plan_versions', 'rate_plans', 'rejected_cdrs', 'reseller_prices', 'subscription_events',
  'subscriptions', 'switches',
] as const;

/** A switch's last contact is recorded for every authenticated request, refused or not. */
const UNTRACKED_COLUMN = 'last_seen_at';

export type Table = (typeof FINGERPRINTED_TABLES)[number];
export type Fingerprint = Record<Table, string>;

/**
 * Rows that are only ever added (a rejected CDR keeps its payload, up to 1 MB): their count and
 * newest id show a change. Hashing every payload made each case slower as the table grew.
 */
const APPEND_ONLY: readonly Table[] = ['rejected_cdrs'];

function printOf(table: Table): string {
  if (APPEND_ONLY.includes(table)) return `count(*) || ':' || coalesce(max(id), 0)`;
  return `count(*) || ':' || coalesce(sum(hashtext((to_jsonb(t) - '${UNTRACKED_COLUMN}')::text)::bigint), 0)`;
}

export async function fingerprint(db: Knex): Promise<Fingerprint> {
  const sql = FINGERPRINTED_TABLES.map((table) => `SELECT '${table}' AS name, ${printOf(table)} AS print FROM ${table} t`).join(' UNION ALL ');
  const result = (await db.raw(sql)) as { rows: Array<{ name: Table; print: string }> };
  return Object.fromEntries(result.rows.map((row) => [row.name, row.print])) as Fingerprint;
}

/** The tables whose fingerprint differs, leaving out those the caller allows to change. */
export function changedTables(before: Fingerprint, after: Fingerprint, allowed: readonly Table[] = []): Table[] {
  return FINGERPRINTED_TABLES.filter((table) => !allowed.includes(table) && before[table] !== after[table]);
}
