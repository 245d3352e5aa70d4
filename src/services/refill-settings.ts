// An account's automatic refill settings, as its Refill page reads and changes them.
import type { Db } from '../db/knex.ts';
import { findRefillSettings, saveRefillSettings, type RefillSettingsRow } from '../db/repos/refill-settings.ts';
import { Money, toStored } from '../domain/money.ts';
import { ValidationError } from '../errors.ts';

export async function loadRefillSettings(db: Db, accountId: number): Promise<RefillSettingsRow | undefined> {
  return findRefillSettings(db, accountId);
}

export interface RefillInput {
  enabled: boolean;
  threshold: string;
  amount: string;
}

export async function updateRefillSettings(db: Db, accountId: number, input: RefillInput, limits: { min: string; max: string }, now: Date): Promise<void> {
  const current = await findRefillSettings(db, accountId);
  if (input.enabled && !current?.payment_method_id) throw new ValidationError('Save a card first', { enabled: 'Save a card first: the refill charges it' });
  const amount = new Money(input.amount);
  if (amount.lessThan(limits.min) || amount.greaterThan(limits.max)) {
    const message = `The refill is between ${limits.min} and ${limits.max}`;
    throw new ValidationError(message, { amount: message });
  }
  // Changing the settings arms the refill again and clears an old decline: the owner has acted.
  await saveRefillSettings(db, accountId, {
    enabled: input.enabled, threshold: toStored(input.threshold), amount: toStored(input.amount), armed: true, last_failure_at: null, last_failure_message: null,
  }, now);
}
