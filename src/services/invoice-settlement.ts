// Open invoices of postpaid accounts: paid when the account's money covers them, and overdue
// when unpaid INVOICE_OVERDUE_GRACE_DAYS after their due date. An overdue invoice suspends the
// account's numbers as an unpaid renewal does (calls refused, released by the billing run after
// BILLING_GRACE_DAYS still unpaid); the payment that settles it reactivates them.
import type { Db } from '../db/knex.ts';
import { inTransaction, type Transaction } from '../db/transaction.ts';
import { lockAccount } from '../db/repos/accounts.ts';
import { insertSubscriptionEvents } from '../db/repos/billing-runs.ts';
import { listAccountsWithOpenInvoices, listOpenInvoices, setInvoiceStatus, type InvoiceRow } from '../db/repos/invoices.ts';
import {
  lockActiveSubscriptions, lockInvoiceSuspendedSubscriptions, setSubscriptionsSuspended, type HeldSubscription,
} from '../db/repos/invoice-suspensions.ts';
import { Money } from '../domain/money.ts';
import { recordEvents } from './events.ts';

const DAY_MS = 86_400_000;

export interface SettlementResult {
  paid: InvoiceRow[];
  suspended: number;
  reactivated: number;
}

/**
 * The debt left (minus a negative balance) is owed on the newest open invoices; every older one
 * is paid. Pure bookkeeping over the account's locked balance.
 */
function settledInvoices(balance: string, open: InvoiceRow[]): InvoiceRow[] {
  let owed = Money.max(new Money(balance).negated(), 0);
  const paid: InvoiceRow[] = [];
  for (const invoice of [...open].sort((a, b) => b.id - a.id)) {
    if (owed.greaterThan(0)) owed = owed.minus(invoice.amount_due);
    else paid.push(invoice);
  }
  return paid;
}

async function changeSubscriptions(trx: Transaction, rows: HeldSubscription[], suspend: boolean, note: string, now: Date): Promise<void> {
  if (rows.length === 0) return;
  await setSubscriptionsSuspended(trx, rows.map((row) => row.id), suspend ? now : null, now);
  const kind = suspend ? 'suspended' : 'reactivated';
  await insertSubscriptionEvents(trx, rows.map((row) => ({
    subscription_id: row.id, billing_run_id: null, kind, period_start: null, period_end: null, amount: null, ledger_entry_id: null, note, created_at: now,
  })));
  await recordEvents(trx, rows.map((row) => ({
    type: suspend ? 'number.suspended' as const : 'number.reactivated' as const, accountId: row.account_id, occurredAt: now,
    data: { number: row.number, subscription_id: row.id, amount: null, period_start: null, period_end: null, note },
  })));
}

/**
 * Marks what the account's money now covers paid, and reactivates what an overdue invoice had
 * suspended once none is left; with `overdueGraceDays` (the schedule), suspends on an overdue one.
 */
export async function settleAccountInvoices(db: Db, accountId: number, options: { now: Date; overdueGraceDays?: number }): Promise<SettlementResult> {
  return inTransaction(db, async (trx) => {
    const account = await lockAccount(trx, accountId);
    const open = account ? await listOpenInvoices(trx, accountId) : [];
    if (!account) return { paid: [], suspended: 0, reactivated: 0 };
    const paid = settledInvoices(account.balance, open);
    await setInvoiceStatus(trx, paid.map((invoice) => invoice.id), 'paid', options.now);
    const paidIds = new Set(paid.map((invoice) => invoice.id));
    const grace = options.overdueGraceDays;
    const overdue = grace === undefined ? [] : open.filter((invoice) => !paidIds.has(invoice.id) && invoice.due_at !== null
      && invoice.due_at.getTime() + grace * DAY_MS <= options.now.getTime());
    if (overdue.length > 0) {
      const active = await lockActiveSubscriptions(trx, accountId);
      await changeSubscriptions(trx, active, true, `Invoice ${overdue[0]!.number} is overdue: calls are refused until it is paid`, options.now);
      return { paid, suspended: active.length, reactivated: 0 };
    }
    if (paid.length === 0) return { paid, suspended: 0, reactivated: 0 };
    const held = await lockInvoiceSuspendedSubscriptions(trx, accountId, options.now);
    await changeSubscriptions(trx, held, false, 'The overdue invoice was paid: calls are accepted again', options.now);
    return { paid, suspended: 0, reactivated: held.length };
  });
}

/** The schedule's pass over every account with an open invoice. */
export async function settleOpenInvoices(db: Db, options: { now: Date; overdueGraceDays: number }): Promise<SettlementResult> {
  const total: SettlementResult = { paid: [], suspended: 0, reactivated: 0 };
  for (const accountId of await listAccountsWithOpenInvoices(db)) {
    const result = await settleAccountInvoices(db, accountId, options);
    total.paid.push(...result.paid);
    total.suspended += result.suspended;
    total.reactivated += result.reactivated;
  }
  return total;
}
