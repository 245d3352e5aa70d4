// Uploaded DID files, kept between their preview and their commit, and the commit's bulk writes.
import { AUDITED_COLUMNS, type NewDid } from './dids.ts';
import type { Db } from '../knex.ts';
import type { Transaction } from '../transaction.ts';

const INSERT_BATCH = 10_000;

export interface ImportRow {
  id: number;
  created_by: number;
  filename: string;
  content: string;
  default_provider_id: number | null;
  default_country: string | null;
  created_at: Date;
  committed_at: Date | null;
  imported_count: number | null;
}

export async function insertImport(db: Db, row: Omit<ImportRow, 'id' | 'committed_at' | 'imported_count'>): Promise<number> {
  const [inserted] = (await db('did_imports').insert(row).returning('id')) as Array<{ id: number }>;
  return inserted!.id;
}

export async function findImportRow(db: Db, id: number): Promise<ImportRow | undefined> {
  return (await db('did_imports').where({ id }).first()) as ImportRow | undefined;
}

export async function lockImportRow(trx: Transaction, id: number): Promise<ImportRow | undefined> {
  return (await trx('did_imports').where({ id }).forUpdate().first()) as ImportRow | undefined;
}

/** A committed file keeps its count, not its content. */
export async function markImportCommitted(trx: Transaction, id: number, imported: number, now: Date): Promise<void> {
  await trx('did_imports').where({ id }).update({ committed_at: now, imported_count: imported, content: '' });
}

/** Rows whose rate_plan column named a plan are put on it (their terms are the plan's already). */
export async function setImportedRatePlans(trx: Transaction, dids: NewDid[]): Promise<void> {
  const onPlans = dids.filter((did) => did.rate_plan_id);
  for (let start = 0; start < onPlans.length; start += INSERT_BATCH) {
    const part = onPlans.slice(start, start + INSERT_BATCH).map((did) => ({ number: did.number, plan: did.rate_plan_id }));
    await trx.raw(
      'UPDATE products p SET rate_plan_id = v.plan FROM jsonb_to_recordset(?::jsonb) AS v(number text, plan bigint) WHERE p.number = v.number',
      [JSON.stringify(part)],
    );
  }
}

const IMPORTED_COLUMNS = [
  'number', 'provider_id', 'country', 'province', 'city', 'status', 'buy_cost', 'connection_cost', 'grace_seconds', 'cost_per_minute',
  'initial_increment', 'increment', 'setup_fee', 'monthly_fee', 'call_timeout', 'billing_type', 'billing_days', 'concurrent_calls',
  'billing_period', 'rate_plan_id',
] as const;
const AMOUNT_COLUMNS = new Set(['buy_cost', 'connection_cost', 'cost_per_minute', 'setup_fee', 'monthly_fee']);

/** The audit row's "after", built in SQL with the same keys and value forms as auditSnapshot. */
const AUDIT_AFTER_SQL = `jsonb_build_object(${AUDITED_COLUMNS.map((column) => {
  if (AMOUNT_COLUMNS.has(column)) return `'${column}', ${column}::text`;
  if (column === 'archived_at') return `'${column}', NULL`;
  return `'${column}', ${column}`;
}).join(', ')})`;

/**
 * Inserts in batches, each DID with its audit row, one statement per batch: the rows travel as
 * one JSON parameter (not tens of thousands of bound values), and the audit rows are written from
 * the inserted rows by the same statement.
 */
export async function insertImportedDids(trx: Transaction, dids: NewDid[], change: { actorId: number; now: Date }): Promise<number> {
  let imported = 0;
  const columns = IMPORTED_COLUMNS.join(', ');
  for (let start = 0; start < dids.length; start += INSERT_BATCH) {
    const batch = dids.slice(start, start + INSERT_BATCH);
    const result = await trx.raw(
      `WITH inserted AS (
         INSERT INTO products (category, ${columns}, created_at, updated_at)
         SELECT 'did', ${columns}, ?::timestamptz, ?::timestamptz FROM json_populate_recordset(NULL::products, ?::json)
         RETURNING *
       )
       INSERT INTO audit_log (actor_id, action, entity_type, entity_id, before, after, created_at)
       SELECT ?, 'did.import', 'did', id, NULL, ${AUDIT_AFTER_SQL}, ?::timestamptz FROM inserted`,
      [change.now, change.now, JSON.stringify(batch), change.actorId, change.now],
    );
    imported += Number(result.rowCount ?? result.affectedRows ?? batch.length);
  }
  return imported;
}
