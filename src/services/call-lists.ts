// The Calls pages and their CSV export: each role's calls with the cost it paid, and for the admin
// the margin at each level (what the owner paid, what the reseller paid, what the operator keeps).
import type { Db } from '../db/knex.ts';
import type { Writable } from 'node:stream';
import { countCalls, findCall, listCallCharges, listCalls, type CallChargeRow, type CallFilters, type CallListRow, type CallScope } from '../db/repos/calls.ts';
import { Money, toPlain } from '../domain/money.ts';
import { NotFoundError } from '../errors.ts';
import { keysetBatches, writeCsv, type CsvTable } from './csv-export.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CallQuery {
  /** YYYY-MM-DD, UTC, inclusive. */
  from?: string | undefined;
  to?: string | undefined;
  number?: string | undefined;
  afterId?: number | undefined;
}

export function callFiltersOf(query: CallQuery): CallFilters {
  return {
    from: query.from ? new Date(`${query.from}T00:00:00Z`) : undefined,
    before: query.to ? new Date(new Date(`${query.to}T00:00:00Z`).getTime() + DAY_MS) : undefined,
    number: query.number?.replace(/[^0-9+]/g, '') || undefined,
    afterId: query.afterId,
  };
}

/** A call as a role sees it: amounts as plain decimal strings, computed here, not in templates. */
export interface CallView {
  id: number;
  startedAt: Date;
  caller: string;
  number: string;
  durationSeconds: number;
  billsec: number;
  billedSeconds: number;
  hangupCause: string | null;
  ownerName: string | null;
  resellerName: string | null;
  /** What the viewer paid for the call. */
  yourCost: string;
  /** Admin and reseller: what the owner (a customer) paid. */
  ownerCost: string;
  /** What the reseller above the owner paid, when there is one. */
  resellerCost: string | null;
  /** The reseller's margin: the owner's price minus the reseller's cost. */
  resellerMargin: string | null;
  /** What the operator receives: the reseller's cost, or the direct owner's price. */
  operatorRevenue: string;
}

export function viewOf(row: CallListRow, scope: CallScope, decimals: number): CallView {
  const owner = new Money(row.owner_cost);
  const reseller = row.reseller_cost === null ? null : new Money(row.reseller_cost);
  const own = scope.role === 'reseller' && row.owner_id !== scope.accountId ? (reseller ?? new Money(0)) : owner;
  return {
    id: row.id,
    startedAt: row.started_at,
    caller: row.caller,
    number: row.number,
    durationSeconds: row.duration_seconds,
    billsec: row.billsec,
    billedSeconds: row.billed_seconds,
    hangupCause: row.hangup_cause,
    ownerName: row.owner_name,
    resellerName: row.reseller_name,
    yourCost: toPlain(scope.role === 'admin' ? owner : own, decimals),
    ownerCost: toPlain(owner, decimals),
    resellerCost: reseller ? toPlain(reseller, decimals) : null,
    resellerMargin: reseller ? toPlain(owner.minus(reseller), decimals) : null,
    operatorRevenue: toPlain(reseller ?? owner, decimals),
  };
}

export interface CallsPage {
  rows: CallView[];
  total: number;
}

export async function loadCalls(db: Db, scope: CallScope, query: CallQuery, window: { limit: number; offset: number }, decimals: number): Promise<CallsPage> {
  const filters = callFiltersOf(query);
  const [rows, total] = await Promise.all([listCalls(db, scope, filters, window), countCalls(db, scope, filters)]);
  return { rows: rows.map((row) => viewOf(row, scope, decimals)), total };
}

export interface CallDetail {
  call: CallView & { uuid: string };
  charges: CallChargeRow[];
}

export async function loadCall(db: Db, scope: CallScope, id: number, decimals: number): Promise<CallDetail> {
  const row = await findCall(db, scope, id);
  if (!row) throw new NotFoundError('There is no such call');
  const charges = await listCallCharges(db, id);
  // A customer sees its own charge only; a reseller its customer's price and its own cost.
  const visible = scope.role === 'customer' ? charges.filter((c) => c.account_id === scope.accountId) : charges;
  return { call: { ...viewOf(row, scope, decimals), uuid: row.uuid }, charges: visible };
}

const CALLS_CSV_BATCH = 5000;

// The caller is whatever the switch sent: a plain number stays one, anything else is text.
const NUMERIC_CALL_COLUMNS = [
  'caller', 'number', 'duration_seconds', 'billsec', 'billed_seconds', 'cost', 'customer_price', 'margin',
  'owner_paid', 'reseller_paid', 'reseller_margin', 'operator_revenue',
];

/** The calls CSV of a role: its own columns (a reseller's margin, the admin's every level). */
function callsTable(scope: CallScope, decimals: number): CsvTable<CallListRow> {
  const admin = scope.role === 'admin';
  const reseller = scope.role === 'reseller';
  const columns = ['started_at', 'caller', 'number', 'duration_seconds', 'billsec', 'billed_seconds', 'cost'];
  if (reseller) columns.push('customer_price', 'margin');
  if (admin) columns.push('owner', 'owner_paid', 'reseller', 'reseller_paid', 'reseller_margin', 'operator_revenue');
  columns.push('hangup_cause', 'uuid');
  const record = (row: CallListRow) => {
    const v = viewOf(row, scope, decimals);
    const cells: Array<string | number> = [v.startedAt.toISOString(), v.caller, v.number, v.durationSeconds, v.billsec, v.billedSeconds, v.yourCost];
    if (reseller) {
      const forCustomer = row.owner_id !== (scope as { accountId: number }).accountId;
      cells.push(forCustomer ? v.ownerCost : '', forCustomer ? (v.resellerMargin ?? '') : '');
    }
    if (admin) cells.push(v.ownerName ?? '', v.ownerCost, v.resellerName ?? '', v.resellerCost ?? '', v.resellerMargin ?? '', v.operatorRevenue);
    cells.push(v.hangupCause ?? '', row.uuid);
    return cells;
  };
  return { columns, numeric: NUMERIC_CALL_COLUMNS, record };
}

/**
 * Writes the filtered calls as CSV, newest first: plain decimal strings, ISO times. Batches follow
 * the list's keyset cursor (after the last call's id), so the ten-millionth call costs what the first does.
 */
export async function writeCallsCsv(db: Db, scope: CallScope, query: CallQuery, decimals: number, out: Writable): Promise<void> {
  const filters = callFiltersOf(query);
  const read = (afterId: number | undefined, limit: number) => listCalls(db, scope, { ...filters, afterId }, { limit, offset: 0 });
  await writeCsv(callsTable(scope, decimals), keysetBatches(read, (row) => row.id, CALLS_CSV_BATCH), out);
}
