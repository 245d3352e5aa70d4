// Bulk import of DIDs from a CSV file with a header row: columns matched by name, the same
// validation as the Create DID form, a preview of every invalid row before anything is written,
// then the valid rows written in one transaction. An import never charges anyone: the numbers go
// into the admin's stock.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { readCsvCell } from '../domain/csv-cell.ts';
import { DID_FIELDS, countryCodeOf, fieldForHeader, parseDidTerms, type DidField, type DidInput, type DidTermsResult } from '../domain/did-terms.ts';
import {
  findImportRow, insertImport, insertImportedDids, lockImportRow, markImportCommitted, setImportedRatePlans, type ImportRow,
} from '../db/repos/did-imports.ts';
import { findExistingNumbers, type NewDid } from '../db/repos/dids.ts';
import { findProvider, listProviderNames } from '../db/repos/providers.ts';
import { listDidFormPlans } from './did-form-plans.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export interface ImportDefaults {
  providerId?: number | undefined;
  country?: string | undefined;
  /** When a rate_plan column's plans are read (the terms in force then); default: the current time. */
  now?: Date | undefined;
}

export interface InvalidRow {
  line: number;
  number: string;
  reasons: string[];
}

export interface ImportPreview {
  totalRows: number;
  valid: NewDid[];
  invalid: InvalidRow[];
  /** Header names that match no field: shown, and otherwise ignored. */
  ignoredColumns: string[];
}

const LABELS = new Map(DID_FIELDS.map((field) => [field.name, field.label]));

const parsedFiles = new Map<string, DidTermsResult[]>();

/** Reads the file and checks every row against the inventory as it is now; writes nothing. */
export async function previewImport(db: Db, content: string, defaults: ImportDefaults): Promise<ImportPreview> {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(content.replace(/^\uFEFF/, ''), { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    throw new ValidationError(`This file is not readable CSV: ${(error as Error).message}`, { file: 'This file is not readable CSV' });
  }
  const [header, ...rows] = records;
  if (!header) throw new ValidationError('The file is empty', { file: 'The file is empty: it needs a header row and one row per number' });

  const columns: Array<DidField | undefined> = header.record.map((name) => fieldForHeader(name));
  // The rate_plan column names one of the admin's plans: the row's per-minute terms are then the plan's.
  const planIndex = header.record.findIndex((name) => /^(rate[\s_-]?plan|plan)$/i.test(name.trim()));
  const ignoredColumns = header.record.filter((_name, index) => columns[index] === undefined && index !== planIndex).filter((name) => name !== '');
  if (!columns.includes('number')) {
    throw new ValidationError('No DID column', { file: 'The header row has no DID (or number) column' });
  }
  const seen = new Set<DidField>();
  for (const field of columns) {
    if (field === undefined) continue;
    if (seen.has(field)) throw new ValidationError('Repeated column', { file: `The header names the ${LABELS.get(field)} column twice` });
    seen.add(field);
  }

  const providers = await listProviderNames(db);
  const providerByName = new Map(providers.map((provider) => [provider.name.toLowerCase(), provider.id]));
  if (defaults.providerId !== undefined && !providers.some((provider) => provider.id === defaults.providerId)) {
    throw new ValidationError('Unknown default provider', { provider: 'Choose a provider from the list' });
  }
  const defaultCountry = defaults.country ? countryCodeOf(defaults.country) : undefined;
  if (defaults.country && !defaultCountry) throw new ValidationError('Unknown default country', { country: 'Choose a country from the list' });

  const plans = planIndex < 0 ? [] : await listDidFormPlans(db, defaults.now ?? new Date());
  const planByName = new Map(plans.map((plan) => [plan.name.toLowerCase(), plan]));
  // Validating a row does not depend on the database unless it names a rate plan: the commit
  // after a preview reuses the preview's work on the same file.
  const cacheKey = planIndex < 0 ? `${createHash('sha256').update(content).digest('hex')}:${defaultCountry ?? ''}` : undefined;
  const cachedRows = cacheKey === undefined ? undefined : parsedFiles.get(cacheKey);
  const parsedRows: DidTermsResult[] = [];
  const candidates: Array<{ line: number; did: NewDid }> = [];
  const invalid: InvalidRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { record, info } of rows) {
    const line = info.lines;
    const input: DidInput = {};
    columns.forEach((field, index) => {
      if (field !== undefined) input[field] = readCsvCell(record[index] ?? '');
    });
    const planName = planIndex < 0 ? '' : readCsvCell(record[planIndex] ?? '').trim();
    const plan = planName === '' ? undefined : planByName.get(planName.toLowerCase());
    if (plan?.terms) Object.assign(input, plan.terms);
    const rowIndex = parsedRows.length;
    const parsed = cachedRows?.[rowIndex] ?? parseDidTerms(input, { empty: 'default', defaultCountry });
    parsedRows.push(parsed);
    const reasons = parsed.ok ? [] : Object.entries(parsed.errors).map(([field, message]) => `${LABELS.get(field as DidField) ?? field}: ${message}`);
    if (planName !== '' && !plan?.terms) reasons.push(`Rate plan: unknown or archived plan "${planName}"`);
    let providerId = defaults.providerId;
    if (parsed.provider !== '') {
      providerId = providerByName.get(parsed.provider.toLowerCase());
      if (providerId === undefined) reasons.push(`Provider: unknown provider "${parsed.provider}"`);
    } else if (providerId === undefined) {
      reasons.push('Provider: empty, and no default provider chosen for the file');
    }
    const number = parsed.ok ? parsed.terms.number : String(input.number ?? '');
    if (parsed.ok) {
      const first = firstLineOf.get(number);
      if (first !== undefined) reasons.push(`DID: duplicate of line ${first} in this file`);
      else firstLineOf.set(number, line);
    }
    if (reasons.length > 0 || !parsed.ok || providerId === undefined) invalid.push({ line, number, reasons });
    else candidates.push({ line, did: { ...parsed.terms, provider_id: providerId, ...(plan ? { rate_plan_id: plan.id } : {}) } });
  }

  if (cacheKey !== undefined && !cachedRows) {
    parsedFiles.set(cacheKey, parsedRows);
    // A few files at most: each holds one result per row.
    while (parsedFiles.size > 2) parsedFiles.delete(parsedFiles.keys().next().value!);
  }

  const existing = await findExistingNumbers(db, candidates.map((candidate) => candidate.did.number));
  const valid: NewDid[] = [];
  for (const candidate of candidates) {
    if (existing.has(candidate.did.number)) invalid.push({ line: candidate.line, number: candidate.did.number, reasons: ['DID: already in the inventory'] });
    else valid.push(candidate.did);
  }
  invalid.sort((a, b) => a.line - b.line);
  return { totalRows: rows.length, valid, invalid, ignoredColumns };
}


/** Keeps an uploaded file for its preview and commit. */
export async function storeImport(
  db: Db,
  upload: { actorId: number; filename: string; content: string; defaults: ImportDefaults; now: Date },
): Promise<number> {
  if (upload.defaults.providerId !== undefined && !(await findProvider(db, upload.defaults.providerId))) {
    throw new ValidationError('Unknown default provider', { provider: 'Choose a provider from the list' });
  }
  return insertImport(db, {
    created_by: upload.actorId,
    filename: upload.filename.slice(0, 200) || 'upload.csv',
    content: upload.content,
    default_provider_id: upload.defaults.providerId ?? null,
    default_country: upload.defaults.country ? (countryCodeOf(upload.defaults.country) ?? null) : null,
    created_at: upload.now,
  });
}

export async function findImport(db: Db, id: number): Promise<ImportRow> {
  const row = await findImportRow(db, id);
  if (!row) throw new NotFoundError('There is no such import');
  return row;
}

export function importDefaultsOf(row: ImportRow): ImportDefaults {
  return { providerId: row.default_provider_id ?? undefined, country: row.default_country ?? undefined };
}

/**
 * Writes the valid rows of an uploaded file in one transaction, checked again against the
 * inventory as it is now. The rows go into stock: nobody is charged.
 */
export async function commitImport(db: Db, id: number, change: { actorId: number; now: Date }): Promise<{ imported: number; invalid: number }> {
  return inTransaction(db, async (trx) => {
    const row = await lockImportRow(trx, id);
    if (!row) throw new NotFoundError('There is no such import');
    if (row.committed_at) throw new ConflictError(`This file was imported already (${row.imported_count ?? 0} numbers)`);
    const preview = await previewImport(trx, row.content, { ...importDefaultsOf(row), now: change.now });
    const imported = await insertImportedDids(trx, preview.valid, change);
    await setImportedRatePlans(trx, preview.valid);
    await markImportCommitted(trx, id, imported, change.now);
    return { imported, invalid: preview.invalid.length };
  });
}

