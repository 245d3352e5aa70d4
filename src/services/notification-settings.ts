// What an account hears of, set on its Notifications page: which optional notices it gets, the
// low-balance threshold, and billing contacts (extra addresses for its mails). Receipts and
// security mails (password links) always go out. The data lives in notification_preferences and
// billing_contacts (repos/notification-preferences.ts), read by the mail subscriber.
import type { Db } from '../db/knex.ts';
import {
  addBillingContact,
  findNotificationPreferences,
  listBillingContacts,
  removeBillingContact,
  saveNotificationPreferences,
  type BillingContact,
  type NotificationPreferences,
} from '../db/repos/notification-preferences.ts';
import type { EventType } from '../domain/events.ts';
import { toStored } from '../domain/money.ts';
import { NotFoundError, ValidationError, isUniqueViolation } from '../errors.ts';

/** Notices an account may turn off, with the names the page shows. */
export const OPTIONAL_NOTICES: ReadonlyArray<{ type: EventType; label: string }> = [
  { type: 'renewal.notice', label: 'Renewal notice: funds will not cover a coming renewal' },
  { type: 'number.expiring', label: 'A one-time number is about to expire' },
  { type: 'number.suspended', label: 'A number was suspended (renewal unpaid)' },
  { type: 'number.released', label: 'A number was released' },
  { type: 'balance.low', label: 'Low balance: funds fell below the threshold' },
];

/** Mails that always go out, listed on the page so nobody looks for a switch. */
export const ALWAYS_SENT: ReadonlyArray<{ type: EventType; label: string }> = [
  { type: 'number.purchased', label: 'Purchase receipt' },
  { type: 'subscription.renewed', label: 'Renewal charged (receipt)' },
  { type: 'payment.received', label: 'Payment received (receipt)' },
  { type: 'refill.failed', label: 'Automatic refill declined (the card charge failed)' },
  { type: 'password.reset', label: 'Password reset link (security)' },
  { type: 'account.welcome', label: 'Welcome with a set-password link (security)' },
];

/** More would turn an account into a mailing list. */
export const MAX_BILLING_CONTACTS = 10;

export interface NotificationSettings {
  preferences: NotificationPreferences;
  contacts: BillingContact[];
}

export async function loadNotificationSettings(db: Db, accountId: number): Promise<NotificationSettings> {
  return { preferences: await findNotificationPreferences(db, accountId), contacts: await listBillingContacts(db, accountId) };
}

/** Saves the notices kept on (every optional one not listed is off) and the threshold (null: no warning). */
export async function saveNotificationChoices(
  db: Db,
  accountId: number,
  choices: { enabled: string[]; lowBalanceThreshold: string | null },
  now: Date,
): Promise<NotificationPreferences> {
  const disabledEvents = OPTIONAL_NOTICES.map((notice) => notice.type).filter((type) => !choices.enabled.includes(type));
  const threshold = choices.lowBalanceThreshold === null ? null : toStored(choices.lowBalanceThreshold);
  return saveNotificationPreferences(db, accountId, { disabledEvents, lowBalanceThreshold: threshold }, now);
}

export async function addContact(db: Db, account: { id: number; email: string }, email: string, now: Date): Promise<BillingContact> {
  if (email.toLowerCase() === account.email.toLowerCase()) {
    throw new ValidationError('Contact not added', { contact_email: 'This is the account\'s own address: it gets the mails already' });
  }
  if ((await listBillingContacts(db, account.id)).length >= MAX_BILLING_CONTACTS) {
    throw new ValidationError('Contact not added', { contact_email: `An account has at most ${MAX_BILLING_CONTACTS} billing contacts: remove one first` });
  }
  try {
    return await addBillingContact(db, account.id, email, now);
  } catch (error) {
    if (isUniqueViolation(error, 'billing_contacts_account_email_unique')) {
      throw new ValidationError('Contact not added', { contact_email: 'This address is a billing contact already' });
    }
    throw error;
  }
}

export async function removeContact(db: Db, accountId: number, contactId: number): Promise<void> {
  if (!(await removeBillingContact(db, accountId, contactId))) throw new NotFoundError('No such billing contact');
}
