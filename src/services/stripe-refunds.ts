// The admin refunds a card payment from the portal, in full or in part: Stripe's refunds API first
// (keyed by the form, so a double submit refunds once), then the negative ledger row in one
// transaction. The charge.refunded webhook that follows names the same running total and posts nothing.
import type { Db } from '../db/knex.ts';
import { findPayment, lockPaymentOfPayee, type PaymentRow } from '../db/repos/payments.ts';
import { inTransaction } from '../db/transaction.ts';
import { Money, toStored } from '../domain/money.ts';
import { toMinorUnits } from '../domain/stripe-amounts.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { applyRefundedTotal } from './stripe-payments.ts';
import { loadStripeKeys, stripeClient, type StripeSettingsConfig } from './stripe-settings.ts';

/** What may still be refunded (a positive amount), or a ConflictError saying why nothing may. */
export function refundableAmount(payment: PaymentRow): string {
  if (!['succeeded', 'partially_refunded'].includes(payment.status) || !payment.payment_intent_id) {
    throw new ConflictError('Only a succeeded card payment can be refunded');
  }
  return toStored(new Money(payment.amount).minus(payment.amount_refunded));
}

export async function findRefundablePayment(db: Db, paymentId: number): Promise<{ payment: PaymentRow; refundable: string }> {
  const payment = await findPayment(db, paymentId);
  if (!payment) throw new NotFoundError('No such payment');
  return { payment, refundable: refundableAmount(payment) };
}

export function refundAmountProblem(payment: PaymentRow, amount: string): string | undefined {
  const value = new Money(amount);
  if (!value.greaterThan(0)) return 'A refund is a positive amount';
  if (value.greaterThan(refundableAmount(payment))) return `At most ${toStored(refundableAmount(payment))} can still be refunded`;
  if (toMinorUnits(amount, payment.currency) === undefined) return `${payment.currency} has no amounts that small: round it`;
  return undefined;
}

export interface RefundInput {
  paymentId: number;
  amount: string;
  /** The form's key: Stripe's Idempotency-Key, so the same form refunds once. */
  idempotencyKey: string;
}

export async function refundPayment(
  db: Db,
  config: StripeSettingsConfig,
  input: RefundInput,
  actor: { actorId: number; now: Date; ip?: string | undefined },
): Promise<{ payment: PaymentRow; refunded: string | undefined }> {
  const { payment } = await findRefundablePayment(db, input.paymentId);
  const problem = refundAmountProblem(payment, input.amount);
  if (problem) throw new ValidationError(problem, { amount: problem });
  const keys = await loadStripeKeys(db, config, payment.payee_reseller_id);
  if (!keys) throw new ConflictError('The Stripe keys of this payment\'s account are no longer set');
  const before = toMinorUnits(payment.amount_refunded, payment.currency)!;
  const refund = await stripeClient(config, keys).refunds.create(
    { payment_intent: payment.payment_intent_id!, amount: toMinorUnits(input.amount, payment.currency)!, metadata: { payment_id: String(payment.id) } },
    { idempotencyKey: `didhub-refund-${input.idempotencyKey}` },
  );
  if (refund.status === 'failed' || refund.status === 'canceled') throw new ConflictError(`Stripe refused the refund (${refund.status})`);
  return inTransaction(db, async (trx) => {
    const locked = (await lockPaymentOfPayee(trx, payment.payee_reseller_id, { id: payment.id }))!;
    const refunded = await applyRefundedTotal(trx, locked, before + refund.amount, actor.now, { actorId: actor.actorId, ip: actor.ip });
    return { payment: locked, refunded };
  });
}
