// The audit log as CSV, in the page's filters: every change, newest first, read in keyset batches
// through the shared CSV helper; before/after as JSON text.
import type { Response } from 'express';
import { listAuditLogBatch, type AuditFilters, type AuditLogRow } from '../../../db/queries/audit-log.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';

const AUDIT_CSV: CsvTable<AuditLogRow> = {
  columns: ['id', 'created_at', 'actor_id', 'actor_name', 'action', 'entity_type', 'entity_id', 'ip', 'before', 'after'],
  numeric: ['id', 'actor_id', 'entity_id'],
  record: (row) => [
    row.id, csvTime(row.created_at), csvText(row.actor_id), csvText(row.actor_name), row.action, row.entity_type, csvText(row.entity_id), csvText(row.ip),
    row.before ? JSON.stringify(row.before) : '', row.after ? JSON.stringify(row.after) : '',
  ],
};

export async function exportAuditLog(res: Response, { db }: AppContext, filters: AuditFilters): Promise<void> {
  const read = (afterId: number | undefined, limit: number) => listAuditLogBatch(db, filters, afterId, limit);
  await sendCsv(res, 'audit-log.csv', AUDIT_CSV, keysetBatches(read, (row) => row.id));
}
