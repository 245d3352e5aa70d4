import type { Db } from '../knex.ts';

export interface RejectedCdrRow {
  id: number;
  switch_id: number | null;
  switch_name: string | null;
  source: 'freeswitch' | 'api';
  uuid: string | null;
  reason: string;
  payload: string;
  received_at: Date;
}

export interface RejectedCdrFilters {
  from?: Date | undefined;
  before?: Date | undefined;
  source?: 'freeswitch' | 'api' | undefined;
}

export type NewRejectedCdr = Omit<RejectedCdrRow, 'id' | 'switch_name'>;

export async function insertRejectedCdrs(db: Db, rows: NewRejectedCdr[]): Promise<void> {
  await db('rejected_cdrs').insert(rows);
}

function filtered(db: Db, filters: RejectedCdrFilters) {
  const query = db('rejected_cdrs as x');
  if (filters.from) query.where('x.received_at', '>=', filters.from);
  if (filters.before) query.where('x.received_at', '<', filters.before);
  if (filters.source) query.where('x.source', filters.source);
  return query;
}

export async function listRejectedCdrs(db: Db, filters: RejectedCdrFilters, window: { limit: number; offset: number }): Promise<RejectedCdrRow[]> {
  return (await filtered(db, filters)
    .leftJoin('switches as s', 's.id', 'x.switch_id')
    .select('x.*', 's.name as switch_name')
    .orderBy([{ column: 'x.received_at', order: 'desc' }, { column: 'x.id', order: 'desc' }])
    .limit(window.limit)
    .offset(window.offset)) as RejectedCdrRow[];
}

/** The filtered rows, newest first, before the row `beforeId`: how the CSV export streams. */
export async function listRejectedCdrBatch(db: Db, filters: RejectedCdrFilters, beforeId: number | undefined, limit: number): Promise<RejectedCdrRow[]> {
  const query = filtered(db, filters).leftJoin('switches as s', 's.id', 'x.switch_id').select('x.*', 's.name as switch_name').orderBy('x.id', 'desc').limit(limit);
  if (beforeId !== undefined) query.where('x.id', '<', beforeId);
  return (await query) as RejectedCdrRow[];
}

export async function countRejectedCdrs(db: Db, filters: RejectedCdrFilters): Promise<number> {
  const row = (await filtered(db, filters).count({ n: '*' }).first()) as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}

export async function findRejectedCdr(db: Db, id: number): Promise<RejectedCdrRow | undefined> {
  return (await db('rejected_cdrs as x').leftJoin('switches as s', 's.id', 'x.switch_id').select('x.*', 's.name as switch_name').where('x.id', id).first()) as
    | RejectedCdrRow
    | undefined;
}
