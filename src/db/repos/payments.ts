// Online payments (Stripe) and what happened to them: the payment rows, the Stripe events already
// handled (each once), disputes. Written by services/stripe-*.ts only.
import type { Db } from '../knex.ts';

export type PaymentKind = 'topup' | 'refill';
export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'expired' | 'refunded' | 'partially_refunded';

export interface PaymentRow {
  id: number;
  account_id: number;
  payee_reseller_id: number | null;
  kind: PaymentKind;
  status: PaymentStatus;
  amount: string;
  currency: string;
  amount_refunded: string;
  checkout_session_id: string | null;
  payment_intent_id: string | null;
  charge_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
  receipt_url: string | null;
  failure_message: string | null;
  ledger_entry_id: number | null;
  disputed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type NewPayment = Pick<PaymentRow, 'account_id' | 'payee_reseller_id' | 'kind' | 'amount' | 'currency'> & { created_at: Date };
export type PaymentChange = Partial<Omit<PaymentRow, 'id' | 'account_id' | 'payee_reseller_id' | 'kind' | 'created_at'>> & { updated_at: Date };

export async function insertPayment(db: Db, payment: NewPayment): Promise<PaymentRow> {
  const [row] = await db<PaymentRow>('payments').insert({ ...payment, status: 'pending', updated_at: payment.created_at }).returning('*');
  return row as PaymentRow;
}

export async function updatePayment(db: Db, id: number, change: PaymentChange): Promise<void> {
  await db('payments').where({ id }).update(change);
}

export async function findPayment(db: Db, id: number): Promise<PaymentRow | undefined> {
  return db<PaymentRow>('payments').where({ id }).first();
}

export async function findAccountPayment(db: Db, accountId: number, id: number): Promise<PaymentRow | undefined> {
  return db<PaymentRow>('payments').where({ id, account_id: accountId }).first();
}

/**
 * Pending Checkout payments created before `cutoff` become expired, in one conditional UPDATE: a
 * webhook crediting one of them at the same moment holds its row lock, and once it commits the row
 * is no longer pending, so the UPDATE skips it. Returns how many expired.
 */
export async function expirePendingCheckouts(db: Db, cutoff: Date, now: Date): Promise<number> {
  const rows = await db('payments')
    .where({ status: 'pending', kind: 'topup' })
    .where('created_at', '<', cutoff)
    .update({ status: 'expired', failure_message: EXPIRED_CHECKOUT_MESSAGE, updated_at: now })
    .returning('id');
  return rows.length;
}

/** Automatic refills still pending since before `cutoff`, oldest first (their payee, to lock them by). */
export async function listStalePendingRefills(db: Db, cutoff: Date): Promise<Array<Pick<PaymentRow, 'id' | 'payee_reseller_id'>>> {
  return db('payments').where({ status: 'pending', kind: 'refill' }).where('created_at', '<', cutoff).orderBy('id').select('id', 'payee_reseller_id');
}

export const EXPIRED_CHECKOUT_MESSAGE = 'Not paid before the payment page closed';
export const EXPIRED_REFILL_MESSAGE = 'The charge was never confirmed (the server stopped during it); if the card was charged, it is credited when Stripe reports it';

/** The payment of a payee, by our id or Stripe's ids, locked for the rest of the transaction. */
export async function lockPaymentOfPayee(
  db: Db,
  payeeResellerId: number | null,
  keys: { id?: number | undefined; paymentIntentId?: string | undefined; checkoutSessionId?: string | undefined },
): Promise<PaymentRow | undefined> {
  const query = db<PaymentRow>('payments').forUpdate();
  if (payeeResellerId === null) query.whereNull('payee_reseller_id');
  else query.where({ payee_reseller_id: payeeResellerId });
  query.where((where) => {
    if (keys.id !== undefined) where.orWhere('id', keys.id);
    if (keys.paymentIntentId) where.orWhere('payment_intent_id', keys.paymentIntentId);
    if (keys.checkoutSessionId) where.orWhere('checkout_session_id', keys.checkoutSessionId);
    if (keys.id === undefined && !keys.paymentIntentId && !keys.checkoutSessionId) where.whereRaw('false');
  });
  return query.orderBy('id').first();
}

/** True when the event is new (and now stored); false when it was handled before. */
export async function claimStripeEvent(db: Db, event: { id: string; type: string; payeeResellerId: number | null; now: Date }): Promise<boolean> {
  const rows = await db('stripe_events')
    .insert({ event_id: event.id, type: event.type, payee_reseller_id: event.payeeResellerId, received_at: event.now })
    .onConflict('event_id')
    .ignore()
    .returning('event_id');
  return rows.length > 0;
}

export interface NewDispute {
  dispute_id: string;
  payment_id: number | null;
  account_id: number | null;
  amount: string;
  reason: string;
  status: string;
  created_at: Date;
}

export async function insertDispute(db: Db, dispute: NewDispute): Promise<boolean> {
  const rows = await db('payment_disputes').insert(dispute).onConflict('dispute_id').ignore().returning('id');
  return rows.length > 0;
}
