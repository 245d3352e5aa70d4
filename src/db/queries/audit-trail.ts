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

export interface AuditNames {
  providers: Map<number, string>;
  accounts: Map<number, string>;
}

const ACCOUNT_KEYS = ['reseller_id', 'customer_id', 'holder_id', 'parent_id', 'account_id'];

/** The names of the providers and accounts the audit rows refer to by id, so a page shows "Provider: Telnyx", not "Provider: 1". */
export async function auditNames(db: Db, rows: AuditRow[]): Promise<AuditNames> {
  const providerIds = new Set<number>();
  const accountIds = new Set<number>();
  for (const row of rows) {
    for (const values of [row.before, row.after]) {
      if (!values) continue;
      for (const [key, value] of Object.entries(values)) {
        const id = Number(value);
        if (value === null || value === '' || !Number.isSafeInteger(id)) continue;
        if (key === 'provider_id') providerIds.add(id);
        if (ACCOUNT_KEYS.includes(key)) accountIds.add(id);
      }
    }
  }
  const [providers, accounts] = await Promise.all([
    providerIds.size > 0 ? (db('providers').whereIn('id', [...providerIds]).select('id', 'name') as Promise<Array<{ id: number; name: string }>>) : [],
    accountIds.size > 0 ? (db('accounts').whereIn('id', [...accountIds]).select('id', 'name') as Promise<Array<{ id: number; name: string }>>) : [],
  ]);
  return {
    providers: new Map(providers.map((p) => [Number(p.id), p.name])),
    accounts: new Map(accounts.map((a) => [Number(a.id), a.name])),
  };
}
