// The filtered DID list as CSV: the import's columns (so an export imports back as the same
// inventory) plus who holds each number. Read in batches by number and written with back
// pressure (services/csv-export.ts), so a million rows never sit in memory.
import type { Db } from '../db/knex.ts';
import type { Writable } from 'node:stream';
import { keysetBatches, writeCsv, type CsvTable } from './csv-export.ts';
import { DID_FIELDS, type DidField } from '../domain/did-terms.ts';
import { listDidBatch, type DidFilters, type DidListRow } from '../db/repos/dids.ts';
import { planNamesOf } from '../db/repos/rate-plans.ts';
import { listPlanNumberBatch } from '../db/queries/plan-numbers.ts';

const BATCH = 5000;

export const EXPORT_COLUMNS = [...DID_FIELDS.map((field) => field.name), 'rate_plan', 'holder', 'holder_name'] as const;

// Names, places and choices are text; the number (E.164), amounts, seconds and counts are numbers.
const NUMERIC_EXPORT_COLUMNS = [
  'number', 'buy_cost', 'connection_cost', 'grace_seconds', 'cost_per_minute', 'initial_increment', 'increment',
  'setup_fee', 'monthly_fee', 'call_timeout', 'billing_days', 'concurrent_calls',
] satisfies DidField[];

function exportRecord(row: DidListRow, planNames: Map<number, string>): string[] {
  const value = (field: DidField | 'rate_plan' | 'holder' | 'holder_name'): string => {
    switch (field) {
      case 'rate_plan':
        return row.rate_plan_id ? (planNames.get(row.rate_plan_id) ?? '') : '';
      case 'provider':
        return row.provider_name ?? '';
      case 'holder':
        return row.holder;
      case 'holder_name':
        return row.customer_name ?? row.reseller_name ?? '';
      default: {
        const cell = row[field];
        return cell === null || cell === undefined ? '' : String(cell);
      }
    }
  };
  return EXPORT_COLUMNS.map(value);
}

function didTable(planNames: Map<number, string>): CsvTable<DidListRow> {
  return { columns: EXPORT_COLUMNS, numeric: NUMERIC_EXPORT_COLUMNS, record: (row) => exportRecord(row, planNames) };
}

/** The filtered inventory, in number order; the number of rows written. */
export async function exportDids(db: Db, filters: DidFilters, out: Writable): Promise<number> {
  const batches = keysetBatches((after: string | undefined, limit: number) => listDidBatch(db, filters, after ?? null, limit), (row) => row.number, BATCH);
  return writeCsv(didTable(await planNamesOf(db, null)), batches, out);
}

/** The numbers on a rate plan, in the inventory's columns (so the file imports back the same way). */
export async function exportPlanNumbers(db: Db, planId: number, out: Writable): Promise<number> {
  const batches = keysetBatches((after: string | undefined, limit: number) => listPlanNumberBatch(db, planId, after, limit), (row) => row.number, BATCH);
  return writeCsv(didTable(await planNamesOf(db, null)), batches, out);
}

/** The sample file offered on the import page: the header and two realistic rows. */
export function sampleCsv(): string {
  const header = DID_FIELDS.map((field) => field.name).join(',');
  return [
    header,
    '+44 20 7946 0958,Atlas Carrier,GB,London,England,0.90,active,0.01,5,0.0120,60,60,2.00,2.50,30,recurring,30,days,10',
    '+1 (415) 555-0123,Atlas Carrier,US,San Francisco,CA,0.40,active,0,0,0.0085,6,6,1.00,1.50,30,recurring,30,month,4',
  ].join('\n') + '\n';
}
