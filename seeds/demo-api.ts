// Demo data of the account API: a key for the demo reseller and one for the demo admin (with the
// inventory scopes), each with a fixed secret printed next to
// the demo logins (like the demo password: demo data only, never for a real installation), so a
// newcomer can try the README's curl examples at once.
import type { Knex } from 'knex';
import { insertApiKey } from '../src/db/repos/api-keys.ts';
import { ADMIN_SCOPES, displayPrefix, scopesForRole } from '../src/domain/api-keys.ts';
import { hashSecret } from '../src/services/api-keys.ts';

export const DEMO_API_KEY = 'dh_live_demo_reseller_key_not_for_production_use';
export const DEMO_ADMIN_API_KEY = 'dh_live_demo_admin_key_not_for_production_use';

export async function seedDemoApi(trx: Knex.Transaction, reseller: { id: number }, now: Date, admin?: { id: number }): Promise<void> {
  const keys = [
    { account: reseller, name: 'Demo storefront', secret: DEMO_API_KEY, scopes: scopesForRole('reseller') },
    ...(admin ? [{ account: admin, name: 'Demo inventory sync', secret: DEMO_ADMIN_API_KEY, scopes: [...ADMIN_SCOPES] }] : []),
  ];
  for (const key of keys) {
    await insertApiKey(trx, {
      account_id: key.account.id, name: key.name, prefix: displayPrefix(key.secret), secret_hash: hashSecret(key.secret),
      scopes: key.scopes, allowed_ips: [], expires_at: null, created_at: now,
    });
  }
}
