// The audit log's CSV: every filtered change, newest first, streamed; before/after as JSON text.
import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../db/knex.ts';
import { iterateAuditLog, type AuditFilters } from '../db/queries/audit-log.ts';
import { csvColumns, csvWriter } from '../domain/csv-cell.ts';

export const AUDIT_CSV_COLUMNS = ['id', 'created_at', 'actor_id', 'actor_name', 'action', 'entity_type', 'entity_id', 'ip', 'before', 'after'] as const;

export async function writeAuditCsv(db: Db, filters: AuditFilters, output: Writable): Promise<void> {
  async function* records() {
    for await (const row of iterateAuditLog(db, filters)) {
      yield [
        row.id,
        new Date(row.created_at).toISOString(),
        row.actor_id ?? '',
        row.actor_name ?? '',
        row.action,
        row.entity_type,
        row.entity_id ?? '',
        row.ip ?? '',
        row.before ? JSON.stringify(row.before) : '',
        row.after ? JSON.stringify(row.after) : '',
      ];
    }
  }
  await pipeline(Readable.from(records()), csvWriter(csvColumns(AUDIT_CSV_COLUMNS, ['id', 'actor_id', 'entity_id'])), output);
}
