// The Stripe keys of a payee: the operator (reseller_id null) or a reseller. Secrets are stored
// sealed (services/secret-box.ts); only their last four characters are kept in clear, for the page.
import type { Db } from '../knex.ts';

export interface StripeSettingsRow {
  id: number;
  reseller_id: number | null;
  secret_key_sealed: string | null;
  secret_key_last4: string | null;
  publishable_key: string | null;
  webhook_secret_sealed: string | null;
  webhook_secret_last4: string | null;
  updated_at: Date;
}

export type StripeSettingsChange = Partial<Pick<StripeSettingsRow, 'secret_key_sealed' | 'secret_key_last4' | 'publishable_key' | 'webhook_secret_sealed' | 'webhook_secret_last4'>>;

export async function findStripeSettings(db: Db, resellerId: number | null): Promise<StripeSettingsRow | undefined> {
  const query = db<StripeSettingsRow>('stripe_settings');
  return resellerId === null ? query.whereNull('reseller_id').first() : query.where({ reseller_id: resellerId }).first();
}

export async function saveStripeSettings(db: Db, resellerId: number | null, change: StripeSettingsChange, now: Date): Promise<void> {
  const existing = await findStripeSettings(db, resellerId);
  if (existing) {
    await db('stripe_settings').where({ id: existing.id }).update({ ...change, updated_at: now });
  } else {
    await db('stripe_settings').insert({ reseller_id: resellerId, ...change, updated_at: now });
  }
}
