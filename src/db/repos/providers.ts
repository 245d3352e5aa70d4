import type { Db } from '../knex.ts';

export interface ProviderRow {
  id: number;
  name: string;
  contact_name: string | null;
  email: string | null;
  phone: string | null;
  notes: string | null;
  created_at: Date;
  updated_at: Date;
}

export type ProviderFields = Pick<ProviderRow, 'name' | 'contact_name' | 'email' | 'phone' | 'notes'>;

export interface ProviderListRow extends ProviderRow {
  did_count: number;
}

function whereNameContains(query: ReturnType<Db>, q: string | undefined) {
  if (q) query.whereRaw('lower(name) like ?', [`%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  return query;
}

export async function listProviders(db: Db, options: { q?: string; limit: number; offset: number }): Promise<ProviderListRow[]> {
  const rows = (await whereNameContains(db('providers as pr'), options.q)
    .select('pr.*', db.raw("(SELECT count(*) FROM products p WHERE p.provider_id = pr.id AND p.archived_at IS NULL) AS did_count"))
    .orderByRaw('lower(pr.name), pr.id')
    .limit(options.limit)
    .offset(options.offset)) as Array<ProviderRow & { did_count: string | number }>;
  return rows.map((row) => ({ ...row, did_count: Number(row.did_count) }));
}

/** The filtered providers in id order after `afterId`, each with its DID count: how the CSV export streams. */
export async function listProviderBatch(db: Db, q: string | undefined, afterId: number | undefined, limit: number): Promise<ProviderListRow[]> {
  const query = whereNameContains(db('providers as pr'), q)
    .select('pr.*', db.raw('(SELECT count(*) FROM products p WHERE p.provider_id = pr.id AND p.archived_at IS NULL) AS did_count'))
    .orderByRaw('lower(pr.name), pr.id')
    .limit(limit);
  // In the page's order (by name); the cursor is the last provider's id.
  if (afterId !== undefined) query.whereRaw('(lower(pr.name), pr.id) > (SELECT lower(x.name), x.id FROM providers x WHERE x.id = ?)', [afterId]);
  const rows = (await query) as Array<ProviderRow & { did_count: string | number }>;
  return rows.map((row) => ({ ...row, did_count: Number(row.did_count) }));
}

export async function countProviders(db: Db, q?: string): Promise<number> {
  const row = (await whereNameContains(db('providers'), q).count({ count: '*' }).first()) as { count: string | number };
  return Number(row.count);
}

export async function findProvider(db: Db, id: number): Promise<ProviderRow | undefined> {
  return db<ProviderRow>('providers').where({ id }).first();
}

/** Every provider's id and name, for selects and for resolving names in an import. */
export async function listProviderNames(db: Db): Promise<Array<{ id: number; name: string }>> {
  return db('providers').select('id', 'name').orderByRaw('lower(name), id');
}

export async function insertProvider(db: Db, fields: ProviderFields, now: Date): Promise<ProviderRow> {
  const [row] = await db<ProviderRow>('providers').insert({ ...fields, created_at: now, updated_at: now }).returning('*');
  return row as ProviderRow;
}

export async function updateProvider(db: Db, id: number, fields: ProviderFields, now: Date): Promise<ProviderRow | undefined> {
  const [row] = await db<ProviderRow>('providers').where({ id }).update({ ...fields, updated_at: now }).returning('*');
  return row as ProviderRow | undefined;
}
