// The admin's list of stored destinations that no longer validate (saved under an older, looser
// grammar, or written around the app): route time refuses them with no_destination, and their
// owners must set them again.
import { listStoredDestinations, type StoredDestinationRow } from '../db/queries/stored-destinations.ts';
import type { Db } from '../db/knex.ts';
import { forwardingOf, type BridgeConfig } from './call-authorization.ts';

export interface InvalidDestination extends StoredDestinationRow {
  reason: string;
}

// About 30 ms of checking per batch (PSTN numbers cost libphonenumber the most), between reads.
const BATCH_SIZE = 1000;

/** Every invalid destination is counted; the first `limit` (in number id order) are returned. */
export async function findInvalidDestinations(
  db: Db, settings: BridgeConfig, options: { limit: number; batchSize?: number },
): Promise<{ rows: InvalidDestination[]; total: number; checked: number }> {
  const { limit, batchSize = BATCH_SIZE } = options;
  const rows: InvalidDestination[] = [];
  let total = 0;
  let checked = 0;
  let afterId = 0;
  for (;;) {
    const batch = await listStoredDestinations(db, afterId, batchSize);
    for (const row of batch) {
      const forwarding = forwardingOf(row.destination_type, row.destination, settings);
      if (forwarding.ok) continue;
      total += 1;
      if (rows.length < limit) rows.push({ ...row, reason: forwarding.reason });
    }
    checked += batch.length;
    if (batch.length < batchSize) return { rows, total, checked };
    afterId = batch[batch.length - 1]!.product_id;
  }
}
