// Expired reservations as CSV: every reservation released because its CDR never came.
import type { Router } from 'express';
import { listExpiredReservationBatch, type ExpiredReservationRow } from '../../../db/repos/call-slots.ts';
import { keysetBatches, type CsvTable } from '../../../services/csv-export.ts';
import { csvAmount, csvText, csvTime } from '../../presenters/csv-values.ts';
import { sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';

function expiredTable(decimals: number): CsvTable<ExpiredReservationRow> {
  const amount = csvAmount(decimals);
  return {
    columns: ['call_uuid', 'released_at', 'number', 'account_id', 'account', 'owner_reserved', 'reseller_id', 'reseller', 'reseller_reserved', 'allowed_seconds', 'authorised_at', 'expires_at'],
    numeric: ['number', 'account_id', 'owner_reserved', 'reseller_id', 'reseller_reserved', 'allowed_seconds'],
    record: (row) => [
      row.call_uuid, csvTime(row.released_at), csvText(row.number), row.account_id, csvText(row.account_name), amount(row.owner_reserved),
      csvText(row.reseller_id), csvText(row.reseller_name), row.reseller_id ? amount(row.reseller_reserved) : '', csvText(row.allowed_seconds),
      csvTime(row.created_at), csvTime(row.expires_at),
    ],
  };
}

/** GET /admin/expired-reservations/export.csv (the list has no filters). */
export function expiredExportRoute(router: Router, { db, config }: AppContext): void {
  router.get('/export.csv', async (_req, res) => {
    const batches = keysetBatches((after: string | undefined, limit: number) => listExpiredReservationBatch(db, after, limit), (row) => row.call_uuid);
    await sendCsv(res, 'expired-reservations.csv', expiredTable(config.moneyDecimals), batches);
  });
}
