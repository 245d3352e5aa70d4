// Demo mail: the demo's purchases and payments are written straight into their tables, so no
// service recorded their events; this records them now (through the same subscriber as the app),
// so the Outbox holds the receipts a newcomer can open, Globex's from its reseller Northwind.
import type { Knex } from 'knex';
import type { AccountRow } from '../src/db/repos/accounts.ts';
import { markOutboxAttemptFailed } from '../src/db/outbox.ts';
import { saveMailSenderName } from '../src/db/repos/mail-templates.ts';
import { addBillingContact } from '../src/db/repos/notification-preferences.ts';
import type { DomainEvent } from '../src/domain/events.ts';
import { recordEvents } from '../src/services/events.ts';

interface DemoAccounts {
  reseller: AccountRow;
  customer: AccountRow;
  resellersCustomer: AccountRow;
}

export async function seedDemoMail(trx: Knex.Transaction, accounts: DemoAccounts, now: Date): Promise<void> {
  const { reseller, customer, resellersCustomer } = accounts;
  await saveMailSenderName(trx, reseller.id, 'Northwind Telecom', now);
  await addBillingContact(trx, customer.id, 'accounts-payable@acme.example', now);

  const subscriptions = (await trx('subscriptions as s')
    .join('products as p', 'p.id', 's.product_id')
    .whereIn('s.account_id', [customer.id, resellersCustomer.id])
    .orderBy('s.id')
    .select('s.id', 's.account_id', 's.product_id', 's.setup_fee', 's.price', 's.billing_type', 's.billing_days', 's.next_billing_at', 's.started_at', 'p.number')) as Array<{
    id: number; account_id: number; product_id: number; setup_fee: string; price: string; billing_type: string; billing_days: number;
    next_billing_at: Date | null; started_at: Date; number: string;
  }>;
  const payments = (await trx('ledger_entries')
    .whereIn('account_id', [customer.id, resellersCustomer.id])
    .whereIn('kind', ['payment', 'refill'])
    .orderBy('id')
    .select('id', 'account_id', 'amount', 'kind', 'balance_after', 'created_at')) as Array<{
    id: number; account_id: number; amount: string; kind: string; balance_after: string; created_at: Date;
  }>;

  const events: DomainEvent[] = [
    ...payments.map((entry): DomainEvent => ({
      type: 'payment.received', accountId: entry.account_id, occurredAt: now,
      data: { amount: entry.amount, kind: entry.kind, ledger_entry_id: entry.id, balance: entry.balance_after, note: null },
    })),
    ...subscriptions.map((s): DomainEvent => ({
      type: 'number.purchased', accountId: s.account_id, occurredAt: now,
      data: {
        number: s.number, product_id: s.product_id, subscription_id: s.id, assigned_by_admin: false, setup_fee: s.setup_fee, first_period: s.price,
        price: s.price, billing_type: s.billing_type, billing_days: s.billing_days, next_billing_at: s.next_billing_at ? new Date(s.next_billing_at).toISOString() : null,
      },
    })),
  ];
  const globexFirst = subscriptions.find((s) => s.account_id === resellersCustomer.id);
  if (globexFirst?.next_billing_at) {
    events.push({
      type: 'renewal.notice', accountId: resellersCustomer.id, occurredAt: now,
      data: { number: globexFirst.number, subscription_id: globexFirst.id, amount: globexFirst.price, due_at: new Date(globexFirst.next_billing_at).toISOString(), available: '0.750000' },
    });
  }
  await recordEvents(trx, events);

  // One mail refused by the receiving server, so the Outbox shows a failure and its Retry button.
  const [bounced] = (await trx('outbox_messages').where({ recipient: 'accounts-payable@acme.example' }).orderBy('id').limit(1).select('id')) as Array<{ id: number }>;
  if (bounced) {
    await trx('outbox_messages').where({ id: bounced.id }).update({ attempts: 1 });
    await markOutboxAttemptFailed(trx, bounced.id, { ok: false, responseCode: 550, detail: '550 5.1.1 <accounts-payable@acme.example>: mailbox unavailable (demo)', durationMs: 120, at: now }, undefined);
  }
}
