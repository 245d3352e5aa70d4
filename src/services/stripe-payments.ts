// What a Stripe payment does to the ledger, inside the caller's transaction, with the payment row
// locked: credit it once (the ledger row's key is the PaymentIntent's id, so even two paths that
// both see it succeed write one row), follow its refunds by Stripe's running total (a replay or an
// older event finds nothing left to post), mark a failure or an expiry, record a dispute. An expired
// payment that Stripe later reports paid is still credited: money received is never dropped.
import { findAccountById, type AccountRow } from '../db/repos/accounts.ts';
import { findLedgerEntryByKey } from '../db/repos/ledger.ts';
import { EXPIRED_CHECKOUT_MESSAGE, insertDispute, updatePayment, type PaymentRow } from '../db/repos/payments.ts';
import { lockRefillSettings, saveRefillSettings } from '../db/repos/refill-settings.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { postLedgerEntry } from '../db/ledger-writer.ts';
import type { Transaction } from '../db/transaction.ts';
import { Money, toStored } from '../domain/money.ts';
import { fromMinorUnits } from '../domain/stripe-amounts.ts';
import { recordEvent } from './events.ts';

export interface CardFacts {
  chargeId?: string | null | undefined;
  brand?: string | null | undefined;
  last4?: string | null | undefined;
  receiptUrl?: string | null | undefined;
}

export interface SuccessFacts extends CardFacts {
  paymentIntentId: string;
  amountMinor: number;
  currency: string;
}

export type CreditOutcome = { credited: true; account: AccountRow } | { credited: false; reason: string };

function cardChange(card: CardFacts) {
  return {
    ...(card.chargeId ? { charge_id: card.chargeId } : {}),
    ...(card.brand ? { card_brand: card.brand } : {}),
    ...(card.last4 ? { card_last4: card.last4 } : {}),
    ...(card.receiptUrl ? { receipt_url: card.receiptUrl } : {}),
  };
}

/** Card brand, last 4, receipt: whichever event brings them first. */
export async function recordCardFacts(trx: Transaction, payment: PaymentRow, card: CardFacts, now: Date): Promise<void> {
  const change = cardChange(card);
  if (Object.keys(change).length > 0) await updatePayment(trx, payment.id, { ...change, updated_at: now });
}

/** Credits the payment's account once. `payment` must be locked by the caller. */
export async function creditPayment(trx: Transaction, payment: PaymentRow, facts: SuccessFacts, now: Date): Promise<CreditOutcome> {
  const details = { ...cardChange(facts), payment_intent_id: facts.paymentIntentId, updated_at: now };
  if (payment.ledger_entry_id !== null) {
    await updatePayment(trx, payment.id, details);
    return { credited: false, reason: 'already credited' };
  }
  if (facts.currency.toUpperCase() !== payment.currency) {
    await updatePayment(trx, payment.id, { ...details, failure_message: `Paid in ${facts.currency.toUpperCase()}, expected ${payment.currency}: not credited` });
    return { credited: false, reason: 'currency mismatch' };
  }
  const key = `stripe:${facts.paymentIntentId}`;
  if (await findLedgerEntryByKey(trx, key)) return { credited: false, reason: 'already credited' };
  const amount = fromMinorUnits(facts.amountMinor, facts.currency);
  const kind = payment.kind === 'refill' ? 'refill' : 'payment';
  const { entry, account } = await postLedgerEntry(trx, {
    accountId: payment.account_id, amount, kind,
    description: `${payment.kind === 'refill' ? 'Automatic refill' : 'Card payment'} (Stripe ${facts.paymentIntentId})`,
    idempotencyKey: key, referenceType: 'payment', referenceId: payment.id, now,
  });
  await updatePayment(trx, payment.id, { ...details, amount, status: 'succeeded', ledger_entry_id: entry.id, failure_message: null });
  await recordEvent(trx, {
    type: 'payment.received', accountId: payment.account_id, occurredAt: now,
    data: { amount: entry.amount, kind, ledger_entry_id: entry.id, balance: account.balance, note: 'Card payment through Stripe', payment_id: payment.id },
  });
  return { credited: true, account };
}

/**
 * A declined or failed payment: shown on the pages. A failed refill also leaves a notice on the
 * dashboard and records `refill.failed` (its mail), in this transaction: whether the charge
 * answered with the decline, a payment_intent.payment_failed webhook brought it later, or the
 * expiry job found it never confirmed. `publicUrl` makes the mail's Add funds link.
 */
export async function markPaymentFailed(trx: Transaction, payment: PaymentRow, message: string, now: Date, publicUrl: string): Promise<boolean> {
  if (payment.status !== 'pending') return false;
  await updatePayment(trx, payment.id, { status: 'failed', failure_message: message, updated_at: now });
  if (payment.kind !== 'refill') return true;
  const card = await lockRefillSettings(trx, payment.account_id);
  if (card) await saveRefillSettings(trx, payment.account_id, { last_failure_at: now, last_failure_message: message }, now);
  const account = await findAccountById(trx, payment.account_id);
  await recordEvent(trx, {
    type: 'refill.failed', accountId: payment.account_id, occurredAt: now,
    data: {
      payment_id: payment.id, amount: payment.amount, reason: message,
      card_brand: card?.card_brand ?? null, card_last4: card?.card_last4 ?? null,
      add_funds_url: `${publicUrl}/${account?.role ?? 'customer'}/payments/add`,
    },
  });
  return true;
}

/** Stripe closed the Checkout page unpaid: nothing to credit. A payment already settled stays as it is. */
export async function markPaymentExpired(trx: Transaction, payment: PaymentRow, now: Date): Promise<boolean> {
  if (payment.status !== 'pending') return false;
  await updatePayment(trx, payment.id, { status: 'expired', failure_message: EXPIRED_CHECKOUT_MESSAGE, updated_at: now });
  return true;
}

/**
 * Stripe says `refundedMinor` of the payment has been refunded in all: post what is not posted yet
 * as one negative 'refund' row. Its key carries the running total, so the same total twice (the
 * portal's refund and then its webhook, or a replay) posts once, and an older, smaller total nothing.
 */
export async function applyRefundedTotal(
  trx: Transaction,
  payment: PaymentRow,
  refundedMinor: number,
  now: Date,
  actor?: { actorId: number; ip?: string | undefined },
): Promise<string | undefined> {
  const total = Money.min(new Money(fromMinorUnits(refundedMinor, payment.currency)), new Money(payment.amount));
  const delta = total.minus(payment.amount_refunded);
  if (!delta.greaterThan(0)) return undefined;
  const key = `stripe-refund:${payment.payment_intent_id ?? payment.id}:${refundedMinor}`;
  if (await findLedgerEntryByKey(trx, key)) return undefined;
  const { entry, account } = await postLedgerEntry(trx, {
    accountId: payment.account_id, amount: toStored(delta.negated()), kind: 'refund',
    description: `Refund of card payment ${payment.id} (Stripe ${payment.payment_intent_id ?? 'payment'})`,
    idempotencyKey: key, referenceType: 'payment', referenceId: payment.id,
    correctsEntryId: payment.ledger_entry_id ?? undefined, createdBy: actor?.actorId ?? null, now,
  });
  const status = total.greaterThanOrEqualTo(payment.amount) ? 'refunded' : 'partially_refunded';
  await updatePayment(trx, payment.id, { amount_refunded: toStored(total), status, updated_at: now });
  if (actor) {
    await insertAuditEntry(trx, {
      actorId: actor.actorId, action: 'payment.refund', entityType: 'account', entityId: payment.account_id,
      before: { amount_refunded: payment.amount_refunded }, after: { amount_refunded: toStored(total), ledger_entry_id: entry.id, balance: account.balance },
      ip: actor.ip ?? null, at: now,
    });
  }
  return entry.amount;
}

export interface DisputeFacts {
  disputeId: string;
  amountMinor: number;
  currency: string;
  reason: string;
  status: string;
}

/** Flags the payment (and so its account) for the admin; the same dispute twice is recorded once. */
export async function recordDispute(trx: Transaction, payment: PaymentRow, facts: DisputeFacts, now: Date): Promise<boolean> {
  const fresh = await insertDispute(trx, {
    dispute_id: facts.disputeId, payment_id: payment.id, account_id: payment.account_id,
    amount: fromMinorUnits(facts.amountMinor, facts.currency), reason: facts.reason, status: facts.status, created_at: now,
  });
  if (fresh) await updatePayment(trx, payment.id, { disputed_at: now, updated_at: now });
  return fresh;
}
