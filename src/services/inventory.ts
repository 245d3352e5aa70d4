// The admin's DID inventory: create, edit, activate or deactivate, delete or archive numbers, each
// change in one transaction with its audit row (who, when, before, after).
import type { Db } from '../db/knex.ts';
import { inSavepoint, inTransaction } from '../db/transaction.ts';
import { parseDidTerms, storedDidInput, type DidField, type DidInput, type DidStatus, type DidTerms } from '../domain/did-terms.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import {
  AUDITED_COLUMNS, countDidSubscriptions, countDids, deleteDid, findDid, findDidByNumber, findExistingNumbers, insertDid, listDidBatch, listDidSubscriptions,
  listDids, lockDid, setDidRatePlan, updateDid, type DidFilters, type DidListRow, type DidRow, type DidSort, type DidSubscriptionRow,
} from '../db/repos/dids.ts';
import { listAuditTrail, type AuditRow } from '../db/queries/audit-trail.ts';
import { findProvider } from '../db/repos/providers.ts';
import { ConflictError, NotFoundError, ValidationError, isUniqueViolation } from '../errors.ts';

export type FieldErrors = Partial<Record<DidField, string>>;

/** The form's errors, one at each field. */
function invalidDid(errors: FieldErrors): ValidationError {
  const fields = errors as Record<string, string>;
  return new ValidationError(Object.values(fields)[0] ?? 'Check the form', fields);
}

export function auditSnapshot(row: Partial<DidRow>): Record<string, unknown> {
  const snapshot: Record<string, unknown> = {};
  for (const column of AUDITED_COLUMNS) {
    const value = row[column as keyof DidRow];
    snapshot[column] = value instanceof Date ? value.toISOString() : (value ?? null);
  }
  return snapshot;
}

async function resolveProvider(db: Db, raw: string, errors: FieldErrors): Promise<number | undefined> {
  if (raw === '') {
    errors.provider = 'Choose the provider';
    return undefined;
  }
  const id = /^\d+$/.test(raw) ? Number(raw) : NaN;
  const provider = Number.isSafeInteger(id) ? await findProvider(db, id) : undefined;
  if (!provider) errors.provider = 'Choose a provider from the list';
  return provider?.id;
}

export interface DidChange {
  actorId: number;
  now: Date;
  ip?: string | null | undefined;
  /** The admin's rate plan the number's per-minute terms come from; null = its own terms; undefined = unchanged. */
  ratePlanId?: number | null | undefined;
}

/** Creates a DID from the admin's form. The number must be new: else a field error (ValidationError), not a crash. */
export async function createDid(db: Db, input: DidInput, change: DidChange): Promise<DidRow> {
  const parsed = parseDidTerms(input, { empty: 'required' });
  const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
  return inTransaction(db, async (trx) => {
    const providerId = await resolveProvider(trx, parsed.provider, errors);
    if (parsed.ok && (await findExistingNumbers(trx, [parsed.terms.number])).size > 0) {
      errors.number = `${parsed.terms.number} is already in the inventory`;
    }
    if (!parsed.ok || providerId === undefined || Object.keys(errors).length > 0) throw invalidDid(errors);
    let did: DidRow;
    try {
      did = await inSavepoint(trx, (inner) => insertDid(inner, { ...parsed.terms, provider_id: providerId }, change.now));
      if (change.ratePlanId !== undefined) await setDidRatePlan(trx, did.id, change.ratePlanId);
    } catch (error) {
      // Someone added the same number a moment ago.
      if (isUniqueViolation(error, 'products_number_unique')) {
        throw invalidDid({ number: `${parsed.terms.number} is already in the inventory` });
      }
      throw error;
    }
    await insertAuditEntry(trx, { actorId: change.actorId, action: 'did.create', entityType: 'did', entityId: did.id, after: auditSnapshot(did), ip: change.ip, at: change.now });
    return did;
  });
}

/**
 * New terms for a DID: they apply to new purchases only, since every subscription keeps the
 * price locked at its purchase. The number itself is not changed here: its history refers to it.
 */
/**
 * The DID's terms replaced by `input` (the edit form sends them all); with `patch`, `input` holds
 * only the fields that change, laid over the terms read under the row's lock, so two partial
 * changes at once never undo each other.
 */
export async function updateDidTerms(db: Db, id: number, input: DidInput, change: DidChange, options: { patch?: boolean } = {}): Promise<DidRow> {
  return inTransaction(db, async (trx) => {
    const before = await lockDid(trx, id);
    if (!before) throw new NotFoundError('There is no such DID');
    const given = options.patch ? { ...storedDidInput(before), ...input } : input;
    const parsed = parseDidTerms({ ...given, number: before.number }, { empty: 'required' });
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    const providerId = await resolveProvider(trx, parsed.provider, errors);
    if (!parsed.ok || providerId === undefined || Object.keys(errors).length > 0) throw invalidDid(errors);
    const { number: _unchanged, ...terms } = parsed.terms;
    const after = await updateDid(trx, id, { ...terms, provider_id: providerId }, change.now);
    if (change.ratePlanId !== undefined) await setDidRatePlan(trx, id, change.ratePlanId);
    await insertAuditEntry(trx, { actorId: change.actorId, action: 'did.update', entityType: 'did', entityId: id, before: auditSnapshot(before), after: auditSnapshot(after), ip: change.ip, at: change.now });
    return after;
  });
}

export async function setDidStatus(db: Db, id: number, status: DidStatus, change: DidChange): Promise<DidRow> {
  return inTransaction(db, async (trx) => {
    const before = await lockDid(trx, id);
    if (!before) throw new NotFoundError('There is no such DID');
    if (before.status === status) return before;
    const after = await updateDid(trx, id, { status }, change.now);
    await insertAuditEntry(trx, {
      actorId: change.actorId, action: status === 'active' ? 'did.activate' : 'did.deactivate', entityType: 'did', entityId: id,
      before: auditSnapshot(before), after: auditSnapshot(after), ip: change.ip, at: change.now,
    });
    return after;
  });
}

/** What removing the number would do: delete it when it was never sold, else archive it. */
export async function removalOf(db: Db, id: number): Promise<'delete' | 'archive'> {
  return (await countDidSubscriptions(db, id)) === 0 ? 'delete' : 'archive';
}

/**
 * Deletes a number that was never sold; archives one that was, to keep its history. A number that
 * someone holds now must be reclaimed first.
 */
export async function removeDid(db: Db, id: number, change: DidChange): Promise<'deleted' | 'archived'> {
  return inTransaction(db, async (trx) => {
    const before = await lockDid(trx, id);
    if (!before) throw new NotFoundError('There is no such DID');
    if (before.reseller_id !== null || before.customer_id !== null) {
      throw new ConflictError(`${before.number} is held by an account: reclaim it to stock before removing it`);
    }
    if (before.archived_at) throw new ConflictError(`${before.number} is archived already`);
    const base = { actorId: change.actorId, entityType: 'did', entityId: id, before: auditSnapshot(before), ip: change.ip, at: change.now };
    if ((await countDidSubscriptions(trx, id)) === 0) {
      await deleteDid(trx, id);
      await insertAuditEntry(trx, { ...base, action: 'did.delete' });
      return 'deleted' as const;
    }
    const after = await updateDid(trx, id, { archived_at: change.now }, change.now);
    await insertAuditEntry(trx, { ...base, action: 'did.archive', after: auditSnapshot(after) });
    return 'archived' as const;
  });
}

/** Brings an archived number back into the list (and, when active, on sale). */
export async function restoreDid(db: Db, id: number, change: DidChange): Promise<DidRow> {
  return inTransaction(db, async (trx) => {
    const before = await lockDid(trx, id);
    if (!before) throw new NotFoundError('There is no such DID');
    if (!before.archived_at) return before;
    const after = await updateDid(trx, id, { archived_at: null }, change.now);
    await insertAuditEntry(trx, { actorId: change.actorId, action: 'did.restore', entityType: 'did', entityId: id, before: auditSnapshot(before), after: auditSnapshot(after), ip: change.ip, at: change.now });
    return after;
  });
}

export interface DidListPage {
  rows: DidListRow[];
  total: number;
  /** False when the total is a lower bound ("number contains" with very many matches). */
  totalExact: boolean;
  page: number;
  pages: number;
  perPage: number;
}

export interface DidListQuery {
  filters: DidFilters;
  sort: DidSort;
  direction: 'asc' | 'desc';
  page: number;
  perPage: number;
}

/** One page of the admin's DID list and the count of the whole filtered list. */
export async function listDidPage(db: Db, query: DidListQuery): Promise<DidListPage> {
  const [counted, rows] = await Promise.all([
    countDids(db, query.filters),
    listDids(db, query.filters, { sort: query.sort, direction: query.direction, limit: query.perPage, offset: (query.page - 1) * query.perPage }),
  ]);
  const total = counted.count;
  return { rows, total, totalExact: counted.exact, page: query.page, perPage: query.perPage, pages: Math.max(1, Math.ceil(total / query.perPage)) };
}

/** A page of the filtered list in number order after `after` (the API's cursor). */
export async function listDidsAfter(db: Db, filters: DidFilters, after: string | undefined, limit: number): Promise<DidListRow[]> {
  return listDidBatch(db, filters, after ?? null, limit);
}

export async function loadDidByNumber(db: Db, number: string): Promise<DidListRow> {
  const did = await findDidByNumber(db, number);
  if (!did) throw new NotFoundError(`There is no DID ${number}`);
  return did;
}

export interface DidDetail {
  did: DidListRow;
  subscriptions: DidSubscriptionRow[];
  audit: AuditRow[];
  removal: 'delete' | 'archive';
}

export async function loadDidDetail(db: Db, id: number): Promise<DidDetail> {
  const did = await findDid(db, id);
  if (!did) throw new NotFoundError('There is no such DID');
  const [subscriptions, audit] = await Promise.all([listDidSubscriptions(db, id), listAuditTrail(db, ['did', 'product'], id)]);
  return { did, subscriptions, audit, removal: subscriptions.length === 0 ? 'delete' : 'archive' };
}

export type { DidTerms };
