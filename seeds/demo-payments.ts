// Demo card payments, so the Payments pages show something before any Stripe keys are entered:
// the direct customer paid 50.00 by card (Visa ending 4242) and was refunded 10.00 of it, and a
// 15.00 two days ago expired unpaid (Stripe's page closed after 24 h), and a last payment of 20.00
// is still pending (the customer just left Stripe's page). Written through the
// same services the webhooks use, so the ledger and balances agree.
import type { Knex } from 'knex';
import { insertPayment, updatePayment } from '../src/db/repos/payments.ts';
import { applyRefundedTotal, creditPayment, markPaymentExpired } from '../src/services/stripe-payments.ts';

export async function seedDemoPayments(trx: Knex.Transaction, now: Date, currency = 'USD'): Promise<void> {
  const customer = await trx('accounts').where({ email: 'customer@example.com' }).first('id');
  if (!customer) return;
  const paidAt = new Date(now.getTime() - 3 * 24 * 3600 * 1000);
  const paid = await insertPayment(trx, { account_id: customer.id, payee_reseller_id: null, kind: 'topup', amount: '50', currency, created_at: paidAt });
  await updatePayment(trx, paid.id, { checkout_session_id: 'cs_demo_1', updated_at: paidAt });
  await creditPayment(trx, paid, {
    paymentIntentId: 'pi_demo_1', amountMinor: 5000, currency, chargeId: 'ch_demo_1', brand: 'visa', last4: '4242',
    receiptUrl: 'https://pay.stripe.com/receipts/demo',
  }, paidAt);
  const credited = (await trx('payments').where({ id: paid.id }).first())!;
  await applyRefundedTotal(trx, credited, 1000, new Date(now.getTime() - 2 * 24 * 3600 * 1000));
  const abandonedAt = new Date(now.getTime() - 2 * 24 * 3600 * 1000);
  const abandoned = await insertPayment(trx, { account_id: customer.id, payee_reseller_id: null, kind: 'topup', amount: '15', currency, created_at: abandonedAt });
  await updatePayment(trx, abandoned.id, { checkout_session_id: 'cs_demo_3', updated_at: abandonedAt });
  await markPaymentExpired(trx, { ...abandoned, checkout_session_id: 'cs_demo_3' }, new Date(abandonedAt.getTime() + 24 * 3600 * 1000));
  const pending = await insertPayment(trx, { account_id: customer.id, payee_reseller_id: null, kind: 'topup', amount: '20', currency, created_at: now });
  await updatePayment(trx, pending.id, { checkout_session_id: 'cs_demo_2', updated_at: now });
}
