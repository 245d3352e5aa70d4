// An account's automatic refill: its saved card (a Stripe customer and payment method), "when
// available funds fall below threshold, charge amount", and the armed flag (one refill per crossing).
import type { Db } from '../knex.ts';

export interface RefillSettingsRow {
  account_id: number;
  stripe_customer_id: string | null;
  payment_method_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
  enabled: boolean;
  threshold: string;
  amount: string;
  armed: boolean;
  last_failure_at: Date | null;
  last_failure_message: string | null;
  updated_at: Date;
}

export type RefillSettingsChange = Partial<Omit<RefillSettingsRow, 'account_id' | 'updated_at'>>;

export async function findRefillSettings(db: Db, accountId: number): Promise<RefillSettingsRow | undefined> {
  return db<RefillSettingsRow>('refill_settings').where({ account_id: accountId }).first();
}

export async function lockRefillSettings(db: Db, accountId: number): Promise<RefillSettingsRow | undefined> {
  return db<RefillSettingsRow>('refill_settings').where({ account_id: accountId }).forUpdate().first();
}

export async function saveRefillSettings(db: Db, accountId: number, change: RefillSettingsChange, now: Date): Promise<void> {
  await db('refill_settings')
    .insert({ account_id: accountId, ...change, updated_at: now })
    .onConflict('account_id')
    .merge({ ...change, updated_at: now });
}

/** Accounts whose refill is on, with a card: the schedule checks their funds. */
export async function listActiveRefills(db: Db): Promise<RefillSettingsRow[]> {
  return db<RefillSettingsRow>('refill_settings').where({ enabled: true }).whereNotNull('payment_method_id').orderBy('account_id');
}
