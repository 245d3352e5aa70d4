// What an API key spends: a token of its rate-limit bucket per request, and a row in its request log.
import type { Db } from '../db/knex.ts';
import { insertApiRequest, takeRateToken, type ApiRequestEntry, type Bucket } from '../db/repos/api-keys.ts';

export async function spendRateToken(db: Db, keyId: number, settings: { rate: number; burst: number }, now: Date): Promise<Bucket> {
  return takeRateToken(db, keyId, settings.rate, settings.burst, now);
}

export async function recordApiRequest(db: Db, entry: ApiRequestEntry): Promise<void> {
  await insertApiRequest(db, entry);
}
