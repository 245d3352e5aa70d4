// Demo data for notifications: Acme's low-balance threshold sits above its funds, so the first
// billing run after `npm start` records a low-balance warning (its mail shows on the Outbox page);
// Globex has a billing contact. Both show on each account's Notifications page.
import type { Knex } from 'knex';
import { findAccountById } from '../src/db/repos/accounts.ts';
import { addBillingContact, saveNotificationPreferences } from '../src/db/repos/notification-preferences.ts';
import { Money, toStored } from '../src/domain/money.ts';

export async function seedNotificationsDemo(trx: Knex.Transaction, accounts: { customer: { id: number }; resellersCustomer: { id: number } }, now: Date): Promise<void> {
  const acme = await findAccountById(trx, accounts.customer.id);
  const threshold = toStored(new Money(acme?.balance ?? '0').ceil().plus(25));
  await saveNotificationPreferences(trx, accounts.customer.id, { disabledEvents: [], lowBalanceThreshold: threshold }, now);
  await saveNotificationPreferences(trx, accounts.resellersCustomer.id, { disabledEvents: ['number.expiring'], lowBalanceThreshold: '5.000000' }, now);
  await addBillingContact(trx, accounts.resellersCustomer.id, 'accounts-payable@globex.example', now);
}
