// Demo data of the account API: a key for the demo reseller, with a fixed secret printed next to
// the demo logins (like the demo password: demo data only, never for a real installation), so a
// newcomer can try the README's curl examples at once.
import type { Knex } from 'knex';
import { insertApiKey } from '../src/db/repos/api-keys.ts';
import { API_SCOPES, displayPrefix } from '../src/domain/api-keys.ts';
import { hashSecret } from '../src/services/api-keys.ts';

export const DEMO_API_KEY = 'dh_live_demo_reseller_key_not_for_production_use';

export async function seedDemoApi(trx: Knex.Transaction, reseller: { id: number }, now: Date): Promise<void> {
  await insertApiKey(trx, {
    account_id: reseller.id, name: 'Demo storefront', prefix: displayPrefix(DEMO_API_KEY), secret_hash: hashSecret(DEMO_API_KEY),
    scopes: [...API_SCOPES], allowed_ips: [], expires_at: null, created_at: now,
  });
}
