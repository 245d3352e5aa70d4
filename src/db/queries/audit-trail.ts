// The audit trail a detail page shows: who changed an entity, when, and what it was before and after.
import type { Db } from '../knex.ts';

export interface AuditRow {
  id: number;
  actor_id: number | null;
  actor_name: string | null;
  action: string;
  entity_type: string;
  entity_id: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  created_at: Date;
}

export async function listAuditTrail(db: Db, entityTypes: string[], entityId: number, limit = 200): Promise<AuditRow[]> {
  const rows = (await db('audit_log as l')
    .leftJoin('accounts as a', 'a.id', 'l.actor_id')
    .whereIn('l.entity_type', entityTypes)
    .where('l.entity_id', entityId)
    .orderBy([{ column: 'l.created_at', order: 'desc' }, { column: 'l.id', order: 'desc' }])
    .limit(limit)
    .select('l.*', 'a.name as actor_name')) as AuditRow[];
  // jsonb comes back parsed on pg; PGlite may hand back text.
  return rows.map((row) => ({ ...row, before: parseJson(row.before), after: parseJson(row.after) }));
}

export function parseJson(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return JSON.parse(value) as Record<string, unknown>;
  return value as Record<string, unknown>;
}
