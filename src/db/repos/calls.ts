// Rated calls as the Calls pages list them, always within the viewer's scope.
import type { Knex } from 'knex';
import type { Db } from '../knex.ts';

/** Whose calls: the admin sees all; a reseller its numbers' and its customers'; a customer its own. */
export type CallScope = { role: 'admin' } | { role: 'reseller' | 'customer'; accountId: number };

export interface CallFilters {
  /** Inclusive start instant. */
  from?: Date | undefined;
  /** Exclusive end instant. */
  before?: Date | undefined;
  /** Digits the number contains. */
  number?: string | undefined;
  /** Cursor: calls listed after this one (older, newest first). */
  afterId?: number | undefined;
}

export interface CallListRow {
  id: number;
  uuid: string;
  started_at: Date;
  caller: string;
  number: string;
  duration_seconds: number;
  billsec: number;
  billed_seconds: number;
  hangup_cause: string | null;
  owner_id: number | null;
  owner_name: string | null;
  reseller_id: number | null;
  reseller_name: string | null;
  owner_cost: string;
  reseller_cost: string | null;
}

export interface CallChargeRow {
  call_id: number;
  account_id: number;
  account_name: string;
  level: number;
  role: string;
  terms: Record<string, unknown>;
  cost: string;
  billed_seconds: number;
  breakdown: Record<string, unknown>;
  ledger_entry_id: number | null;
  /** What the level had reserved for the call at its authorisation; null when nothing was. */
  reserved: string | null;
}

function scoped(query: Knex.QueryBuilder, scope: CallScope): Knex.QueryBuilder {
  if (scope.role === 'customer') return query.where('c.owner_id', scope.accountId);
  if (scope.role === 'reseller') return query.where((q) => q.where('c.owner_id', scope.accountId).orWhere('c.reseller_id', scope.accountId));
  return query;
}

function filtered(query: Knex.QueryBuilder, filters: CallFilters): Knex.QueryBuilder {
  if (filters.from) query.where('c.started_at', '>=', filters.from);
  if (filters.before) query.where('c.started_at', '<', filters.before);
  if (filters.number) query.where('c.number', 'like', `%${filters.number.replace(/[^0-9+]/g, '')}%`);
  if (filters.afterId !== undefined) {
    query.whereRaw('(c.started_at, c.id) < (SELECT started_at, id FROM calls WHERE id = ?)', [filters.afterId]);
  }
  return query;
}

const LIST_COLUMNS = [
  'c.id', 'c.uuid', 'c.started_at', 'c.caller', 'c.number', 'c.duration_seconds', 'c.billsec', 'c.billed_seconds', 'c.hangup_cause',
  'c.owner_id', 'o.name as owner_name', 'c.reseller_id', 'r.name as reseller_name', 'c.cost as owner_cost', 'rc.cost as reseller_cost',
];

export async function listCalls(db: Db, scope: CallScope, filters: CallFilters, window: { limit: number; offset: number }): Promise<CallListRow[]> {
  const query = db('calls as c')
    .leftJoin('call_charges as rc', (j) => j.on('rc.call_id', 'c.id').andOn('rc.level', db.raw('1')))
    .leftJoin('accounts as o', 'o.id', 'c.owner_id')
    .leftJoin('accounts as r', 'r.id', 'c.reseller_id')
    .select(LIST_COLUMNS)
    .orderBy([{ column: 'c.started_at', order: 'desc' }, { column: 'c.id', order: 'desc' }])
    .limit(window.limit)
    .offset(window.offset);
  return (await filtered(scoped(query, scope), filters)) as CallListRow[];
}

export async function countCalls(db: Db, scope: CallScope, filters: CallFilters): Promise<number> {
  const row = (await filtered(scoped(db('calls as c').count({ n: '*' }), scope), filters).first()) as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}

export async function findCall(db: Db, scope: CallScope, id: number): Promise<CallListRow | undefined> {
  const query = db('calls as c')
    .leftJoin('call_charges as rc', (j) => j.on('rc.call_id', 'c.id').andOn('rc.level', db.raw('1')))
    .leftJoin('accounts as o', 'o.id', 'c.owner_id')
    .leftJoin('accounts as r', 'r.id', 'c.reseller_id')
    .select([...LIST_COLUMNS, 'c.answered_at', 'c.ended_at', 'c.received_at', 'c.source'])
    .where('c.id', id);
  return (await scoped(query, scope).first()) as CallListRow | undefined;
}

export async function listCallCharges(db: Db, callId: number): Promise<CallChargeRow[]> {
  return (await db('call_charges as cc')
    .join('accounts as a', 'a.id', 'cc.account_id')
    .where('cc.call_id', callId)
    .orderBy('cc.level')
    .select('cc.*', 'a.name as account_name')) as CallChargeRow[];
}
