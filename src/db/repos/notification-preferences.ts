// Each account's notification preferences and billing contacts. An account without a preferences
// row has the defaults: every notice on, no low-balance threshold.
import type { Db } from '../knex.ts';

export interface NotificationPreferences {
  accountId: number;
  /** Event types (optional notices) the account turned off. */
  disabledEvents: string[];
  /** Warn when the available balance falls below this (a plain decimal); null: never. */
  lowBalanceThreshold: string | null;
  updatedAt: Date | null;
}

export interface BillingContact {
  id: number;
  accountId: number;
  email: string;
  createdAt: Date;
}

interface PreferencesRow {
  account_id: number;
  disabled_events: string[] | string;
  low_balance_threshold: string | null;
  updated_at: Date;
}

interface ContactRow {
  id: number;
  account_id: number;
  email: string;
  created_at: Date;
}

// text[] comes back as an array on pg; be lenient with a '{a,b}' literal all the same.
function toArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((item) => item.replace(/^"|"$/g, ''));
}

const toContact = (row: ContactRow): BillingContact => ({ id: row.id, accountId: row.account_id, email: row.email, createdAt: new Date(row.created_at) });

/** The account's preferences, the defaults when it never saved any. */
export async function findNotificationPreferences(db: Db, accountId: number): Promise<NotificationPreferences> {
  const row = (await db('notification_preferences').where({ account_id: accountId }).first()) as PreferencesRow | undefined;
  if (!row) return { accountId, disabledEvents: [], lowBalanceThreshold: null, updatedAt: null };
  return {
    accountId,
    disabledEvents: toArray(row.disabled_events),
    lowBalanceThreshold: row.low_balance_threshold,
    updatedAt: new Date(row.updated_at),
  };
}

/** Preferences of many accounts at once (the mail subscriber's batch); accounts without a row are left out. */
export async function findNotificationPreferencesFor(db: Db, accountIds: number[]): Promise<Map<number, NotificationPreferences>> {
  const found = new Map<number, NotificationPreferences>();
  if (accountIds.length === 0) return found;
  const rows = (await db('notification_preferences').whereIn('account_id', accountIds)) as PreferencesRow[];
  for (const row of rows) {
    found.set(row.account_id, {
      accountId: row.account_id,
      disabledEvents: toArray(row.disabled_events),
      lowBalanceThreshold: row.low_balance_threshold,
      updatedAt: new Date(row.updated_at),
    });
  }
  return found;
}

export async function saveNotificationPreferences(
  db: Db,
  accountId: number,
  preferences: { disabledEvents: string[]; lowBalanceThreshold: string | null },
  now: Date,
): Promise<NotificationPreferences> {
  const disabled = [...new Set(preferences.disabledEvents)].sort();
  await db('notification_preferences')
    .insert({ account_id: accountId, disabled_events: disabled, low_balance_threshold: preferences.lowBalanceThreshold, updated_at: now })
    .onConflict('account_id')
    .merge(['disabled_events', 'low_balance_threshold', 'updated_at']);
  return { accountId, disabledEvents: disabled, lowBalanceThreshold: preferences.lowBalanceThreshold, updatedAt: now };
}

export async function listBillingContacts(db: Db, accountId: number): Promise<BillingContact[]> {
  const rows = (await db('billing_contacts').where({ account_id: accountId }).orderBy('id')) as ContactRow[];
  return rows.map(toContact);
}

/** Billing contacts of many accounts at once, by account. */
export async function listBillingContactsFor(db: Db, accountIds: number[]): Promise<Map<number, BillingContact[]>> {
  const found = new Map<number, BillingContact[]>();
  if (accountIds.length === 0) return found;
  const rows = (await db('billing_contacts').whereIn('account_id', accountIds).orderBy('id')) as ContactRow[];
  for (const row of rows) found.set(row.account_id, [...(found.get(row.account_id) ?? []), toContact(row)]);
  return found;
}

/** Adds an address; the same address twice (any case) is a unique violation (23505) the caller turns into a form error. */
export async function addBillingContact(db: Db, accountId: number, email: string, now: Date): Promise<BillingContact> {
  const [row] = (await db('billing_contacts').insert({ account_id: accountId, email: email.trim(), created_at: now }).returning('*')) as ContactRow[];
  return toContact(row as ContactRow);
}

/** Removes one of the account's contacts; false when it has no such contact. */
export async function removeBillingContact(db: Db, accountId: number, contactId: number): Promise<boolean> {
  // RETURNING rather than the affected count, which the embedded driver does not report on a delete.
  const deleted = (await db('billing_contacts').where({ id: contactId, account_id: accountId }).delete().returning('id')) as Array<{ id: number }>;
  return deleted.length > 0;
}
