// "Add funds" and "save a card": a payment row (or the refill settings) first, then a Stripe
// Checkout Session the browser is sent to. Nothing is credited here: the webhook does that, once.
import type { Config } from '../config.ts';
import type { Db } from '../db/knex.ts';
import type { AccountRow } from '../db/repos/accounts.ts';
import { insertPayment, updatePayment, type PaymentRow } from '../db/repos/payments.ts';
import { findRefillSettings, saveRefillSettings } from '../db/repos/refill-settings.ts';
import { Money, toStored } from '../domain/money.ts';
import { toMinorUnits } from '../domain/stripe-amounts.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { payeeOf, stripeClient, type Payee, type StripeKeys } from './stripe-settings.ts';

export type CheckoutConfig = Pick<Config, 'sessionSecret' | 'stripeApi' | 'publicUrl' | 'currency' | 'paymentMinAmount' | 'paymentMaxAmount' | 'checkoutExpiryHours'>;

export class PaymentsOffError extends ConflictError {}

function keysOf(payee: Payee): StripeKeys {
  if (!payee.keys) throw new PaymentsOffError(`Online payment is not available: contact ${payee.name}${payee.email ? ` (${payee.email})` : ''} to add funds.`);
  return payee.keys;
}

/** The amount's problem against the settings, or undefined. */
export function topUpAmountProblem(config: CheckoutConfig, amount: string): string | undefined {
  const value = new Money(amount);
  if (value.lessThan(config.paymentMinAmount)) return `The smallest amount is ${config.currency} ${config.paymentMinAmount}`;
  if (value.greaterThan(config.paymentMaxAmount)) return `The largest amount is ${config.currency} ${config.paymentMaxAmount}`;
  if (toMinorUnits(amount, config.currency) === undefined) return `${config.currency} has no amounts that small: round it`;
  return undefined;
}

export interface StartedCheckout {
  payment: PaymentRow;
  url: string;
}

/** Creates the pending payment and its Checkout Session (mode payment); the caller redirects to `url`. */
export async function startTopUp(db: Db, config: CheckoutConfig, account: AccountRow, amount: string, base: string, now: Date): Promise<StartedCheckout> {
  const problem = topUpAmountProblem(config, amount);
  if (problem) throw new ValidationError(problem, { amount: problem });
  const payee = await payeeOf(db, config, account);
  const stripe = stripeClient(config, keysOf(payee));
  const payment = await insertPayment(db, {
    account_id: account.id, payee_reseller_id: payee.resellerId, kind: 'topup', amount: toStored(amount), currency: config.currency, created_at: now,
  });
  const metadata = { payment_id: String(payment.id), account_id: String(account.id) };
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ quantity: 1, price_data: { currency: config.currency.toLowerCase(), unit_amount: toMinorUnits(amount, config.currency)!, product_data: { name: 'Account funds' } } }],
    client_reference_id: String(account.id),
    customer_email: account.email,
    metadata,
    payment_intent_data: { metadata },
    // Stripe's own lifetime is 24 h; a shorter setting is passed on, so Stripe and the expiry job
    // (services/payment-expiry.ts) agree. 24 is left to Stripe's default: a clock a second ahead
    // of Stripe's would make "now + 24 h" too far for it.
    ...(config.checkoutExpiryHours < 24 ? { expires_at: Math.floor(now.getTime() / 1000) + config.checkoutExpiryHours * 3600 } : {}),
    success_url: `${config.publicUrl}${base}/${payment.id}?returned=success`,
    cancel_url: `${config.publicUrl}${base}/${payment.id}?returned=cancel`,
  }, { idempotencyKey: `didhub-topup-${payment.id}` }).catch(async (error: unknown) => {
    // Stripe refused or could not be reached: the payment never started; the page shows why.
    await updatePayment(db, payment.id, { status: 'failed', failure_message: 'Stripe could not start the payment', updated_at: now });
    throw error;
  });
  await updatePayment(db, payment.id, { checkout_session_id: session.id, updated_at: now });
  if (!session.url) throw new ConflictError('Stripe gave no Checkout address');
  return { payment: { ...payment, checkout_session_id: session.id }, url: session.url };
}

/** Checkout in setup mode: the card is saved for automatic refills (the webhook stores it). */
export async function startCardSetup(db: Db, config: CheckoutConfig, account: AccountRow, base: string, now: Date): Promise<string> {
  const payee = await payeeOf(db, config, account);
  const stripe = stripeClient(config, keysOf(payee));
  const settings = await findRefillSettings(db, account.id);
  let customerId = settings?.stripe_customer_id;
  if (!customerId) {
    const customer = await stripe.customers.create({ email: account.email, name: account.name, metadata: { account_id: String(account.id) } }, { idempotencyKey: `didhub-customer-${account.id}` });
    customerId = customer.id;
    await saveRefillSettings(db, account.id, { stripe_customer_id: customerId }, now);
  }
  const session = await stripe.checkout.sessions.create({
    mode: 'setup',
    currency: config.currency.toLowerCase(),
    customer: customerId,
    metadata: { refill_account_id: String(account.id) },
    success_url: `${config.publicUrl}${base}?card=saved`,
    cancel_url: `${config.publicUrl}${base}?card=cancelled`,
  });
  if (!session.url) throw new ConflictError('Stripe gave no Checkout address');
  return session.url;
}
