// Turns events into mails, in the transaction of the change: one outbox row per recipient (the
// account's address and its billing contacts; security mails to the account's own address only),
// rendered now so the Outbox page shows exactly what is sent. Notices the account turned off are
// skipped; receipts and security mails cannot be turned off. Events that are not mails are ignored.
import { findAccountsByIds, type AccountRow } from '../db/repos/accounts.ts';
import { findNotificationPreferencesFor, listBillingContactsFor, type BillingContact, type NotificationPreferences } from '../db/repos/notification-preferences.ts';
import { enqueueOutboxMessages, type NewOutboxMessage } from '../db/outbox.ts';
import type { Transaction } from '../db/transaction.ts';
import type { DomainEvent } from '../domain/events.ts';
import { isMailEventType, MAIL_EVENTS } from '../domain/mail-events.ts';
import type { EventSubscriber } from './events.ts';
import { composeMail, newMailLookups, type MailLookups, type MailSettings } from './mail-composer.ts';

/** What the mails of a batch of events need of their accounts, read in three queries, not three per event. */
interface BatchAccounts {
  accounts: Map<number, AccountRow>;
  preferences: Map<number, NotificationPreferences>;
  contacts: Map<number, BillingContact[]>;
}

async function readBatchAccounts(trx: Transaction, events: DomainEvent[]): Promise<BatchAccounts> {
  const ids = [...new Set(events.filter((event) => isMailEventType(event.type)).map((event) => event.accountId))];
  return {
    accounts: await findAccountsByIds(trx, ids),
    preferences: await findNotificationPreferencesFor(trx, ids),
    contacts: await listBillingContactsFor(trx, ids),
  };
}

function recipientsOf(account: { id: number; email: string }, contacts: BillingContact[], security: boolean): string[] {
  const addresses = [account.email, ...(security ? [] : contacts.map((contact) => contact.email))];
  const seen = new Set<string>();
  return addresses.filter((address) => {
    const key = address.trim().toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function mailsFor(trx: Transaction, event: DomainEvent, batch: BatchAccounts, settings: MailSettings, lookups: MailLookups): Promise<NewOutboxMessage[]> {
  if (!isMailEventType(event.type)) return [];
  const type = event.type;
  const spec = MAIL_EVENTS[type];
  const account = batch.accounts.get(event.accountId);
  if (!account) return [];
  if (spec.optional) {
    if (account.status === 'closed') return [];
    if (batch.preferences.get(account.id)?.disabledEvents.includes(type)) return [];
  }
  const mail = await composeMail(trx, { type, account, data: event.data }, settings, event.occurredAt, lookups);
  const recipients = recipientsOf(account, batch.contacts.get(account.id) ?? [], spec.security);
  return recipients.map((recipient) => ({
    channel: 'mail',
    event: type,
    accountId: account.id,
    recipient,
    payload: { from: mail.from, to: recipient, subject: mail.subject, html: mail.html, text: mail.text, template: mail.template },
  }));
}

/** `settings` is read when the first event arrives (the subscriber list is built at import). */
export function createMailSubscriber(settings: () => MailSettings): EventSubscriber {
  return async (trx, events) => {
    const messages: NewOutboxMessage[] = [];
    const lookups = newMailLookups();
    const batch = await readBatchAccounts(trx, events);
    for (const event of events) messages.push(...(await mailsFor(trx, event, batch, settings(), lookups)));
    await enqueueOutboxMessages(trx, messages, events[0]?.occurredAt ?? new Date());
  };
}
