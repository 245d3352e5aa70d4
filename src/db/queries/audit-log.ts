// The admin's Audit log page: every audited change, newest first, filtered by actor, entity type,
// action and date (UTC days, both included), paged, and read in keyset batches for the CSV.
import type { Knex } from 'knex';
import type { Db } from '../knex.ts';
import { parseJson, type AuditRow } from './audit-trail.ts';

export interface AuditFilters {
  actorId?: number | undefined;
  entityType?: string | undefined;
  action?: string | undefined;
  /** YYYY-MM-DD, UTC, both days included. */
  from?: string | undefined;
  to?: string | undefined;
}

export interface AuditLogRow extends AuditRow {
  ip: string | null;
}

function filtered(db: Db, filters: AuditFilters): Knex.QueryBuilder {
  const query = db('audit_log as l');
  if (filters.actorId !== undefined) query.where('l.actor_id', filters.actorId);
  if (filters.entityType) query.where('l.entity_type', filters.entityType);
  if (filters.action) query.where('l.action', filters.action);
  if (filters.from) query.where('l.created_at', '>=', new Date(`${filters.from}T00:00:00Z`));
  if (filters.to) query.where('l.created_at', '<', new Date(Date.parse(`${filters.to}T00:00:00Z`) + 86_400_000));
  return query;
}

const COLUMNS = ['l.id', 'l.actor_id', 'a.name as actor_name', 'l.action', 'l.entity_type', 'l.entity_id', 'l.before', 'l.after', 'l.ip', 'l.created_at'];

function parsed(rows: AuditLogRow[]): AuditLogRow[] {
  return rows.map((row) => ({ ...row, id: Number(row.id), before: parseJson(row.before), after: parseJson(row.after) }));
}

export async function listAuditLog(db: Db, filters: AuditFilters, window: { limit: number; offset: number }): Promise<{ rows: AuditLogRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    filtered(db, filters)
      .leftJoin('accounts as a', 'a.id', 'l.actor_id')
      .orderBy([{ column: 'l.created_at', order: 'desc' }, { column: 'l.id', order: 'desc' }])
      .limit(window.limit)
      .offset(window.offset)
      .select(COLUMNS) as Promise<AuditLogRow[]>,
    filtered(db, filters).count({ total: '*' }).first() as Promise<{ total: string | number } | undefined>,
  ]);
  return { rows: parsed(rows), total: Number(count?.total ?? 0) };
}

/**
 * One batch of the CSV export, newest first: the filtered entries after the cursor entry in the
 * page's order (created_at, id). The cursor's time is read in SQL, not passed back from a JS Date,
 * which would drop the microseconds and skip or repeat entries of the same millisecond.
 */
export async function listAuditLogBatch(db: Db, filters: AuditFilters, afterId: number | undefined, limit: number): Promise<AuditLogRow[]> {
  const query = filtered(db, filters)
    .leftJoin('accounts as a', 'a.id', 'l.actor_id')
    .orderBy([{ column: 'l.created_at', order: 'desc' }, { column: 'l.id', order: 'desc' }])
    .limit(limit)
    .select(COLUMNS);
  if (afterId !== undefined) query.whereRaw('(l.created_at, l.id) < (select c.created_at, c.id from audit_log c where c.id = ?)', [afterId]);
  return parsed((await query) as AuditLogRow[]);
}

/** What the filters offer: the accounts that made changes, the entity types and the actions logged. */
export async function auditFilterOptions(db: Db): Promise<{ actors: { id: number; name: string }[]; entityTypes: string[]; actions: string[] }> {
  const [actors, types, actions] = await Promise.all([
    db('accounts as a').whereIn('a.id', db('audit_log').distinct('actor_id').whereNotNull('actor_id')).orderBy('a.name').select('a.id', 'a.name') as Promise<{ id: number; name: string }[]>,
    db('audit_log').distinct('entity_type').orderBy('entity_type') as Promise<{ entity_type: string }[]>,
    db('audit_log').distinct('action').orderBy('action') as Promise<{ action: string }[]>,
  ]);
  return {
    actors: actors.map((row) => ({ id: Number(row.id), name: row.name })),
    entityTypes: types.map((row) => row.entity_type),
    actions: actions.map((row) => row.action),
  };
}
