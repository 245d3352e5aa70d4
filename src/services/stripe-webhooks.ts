// POST /webhooks/stripe (the operator's Stripe account) and /webhooks/stripe/reseller/:id (a
// reseller's own): the endpoint's path says whose webhook secret checks the signature and whose
// payments the event may touch, so one payee's events can never credit another's payments. Each
// event id is stored once in the transaction that applies it: a replay (or 20 at once) is a no-op.
// Events may come in any order: whichever of checkout.session.completed and
// payment_intent.succeeded comes first credits the payment, the other finds it credited; a success
// after checkout.session.expired (or after the local expiry job) still credits, once.
import type Stripe from 'stripe';
import type { Db } from '../db/knex.ts';
import { claimStripeEvent, lockPaymentOfPayee, type PaymentRow } from '../db/repos/payments.ts';
import { saveRefillSettings } from '../db/repos/refill-settings.ts';
import { inTransaction, type Transaction } from '../db/transaction.ts';
import type { Logger } from '../logger.ts';
import type { Config } from '../config.ts';
import { retryAccountRenewals } from './renewals.ts';
import { loadStripeKeys, stripeClient, type StripeSettingsConfig } from './stripe-settings.ts';
import { applyRefundedTotal, creditPayment, markPaymentExpired, markPaymentFailed, recordCardFacts, recordDispute } from './stripe-payments.ts';

export interface StripeWebhookInput {
  payeeResellerId: number | null;
  rawBody: Buffer;
  signature: string | undefined;
  now: Date;
}

export interface StripeWebhookOutcome {
  status: 200 | 400;
  /** What was done, for the log and the tests: credited, duplicate, ignored, refunded, ... */
  result: string;
  eventId?: string;
}

type Metadata = Record<string, string> | null | undefined;
type Expandable = string | { id: string } | null | undefined;

interface SessionObject { id: string; mode: string; payment_status: string; payment_intent: Expandable; setup_intent: Expandable; amount_total: number | null; currency: string | null; metadata: Metadata; customer: Expandable }
interface IntentObject { id: string; amount_received: number; currency: string; metadata: Metadata; latest_charge: Expandable; last_payment_error?: { message?: string } | null }
interface ChargeObject { id: string; payment_intent: Expandable; amount_refunded: number; currency: string; metadata: Metadata; receipt_url: string | null; payment_method_details?: { card?: { brand?: string; last4?: string } } | null }
interface DisputeObject { id: string; charge: Expandable; payment_intent: Expandable; amount: number; currency: string; reason: string; status: string }

const idOf = (value: Expandable): string | undefined => (typeof value === 'string' ? value : (value?.id ?? undefined));
const paymentIdOf = (metadata: Metadata): number | undefined => {
  const id = Number(metadata?.payment_id);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
};

interface Handled { result: string; creditedAccountId?: number }

async function applyEvent(trx: Transaction, payee: number | null, event: Stripe.Event, now: Date, setupCard: CardOfSetup | undefined, publicUrl: string): Promise<Handled> {
  const object = event.data.object as unknown;
  const lock = (keys: Parameters<typeof lockPaymentOfPayee>[2]) => lockPaymentOfPayee(trx, payee, keys);
  switch (event.type) {
    // A delayed method (a bank debit) completes the session unpaid and settles it later, by
    // async_payment_succeeded (or payment_intent.succeeded, whichever comes first: credited once).
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = object as SessionObject;
      if (session.mode === 'setup') return saveCard(trx, session, setupCard, now);
      const payment = await lock({ id: paymentIdOf(session.metadata), checkoutSessionId: session.id });
      const intent = idOf(session.payment_intent);
      if (!payment || !intent) return { result: 'ignored: no such payment' };
      if (session.payment_status !== 'paid' || session.amount_total === null || !session.currency) return { result: 'pending' };
      return credited(await creditPayment(trx, payment, { paymentIntentId: intent, amountMinor: session.amount_total, currency: session.currency }, now), payment);
    }
    case 'checkout.session.async_payment_failed': {
      const session = object as SessionObject;
      const payment = await lock({ id: paymentIdOf(session.metadata), checkoutSessionId: session.id });
      if (!payment) return { result: 'ignored: no such payment' };
      return { result: (await markPaymentFailed(trx, payment, 'The bank payment failed after checkout', now, publicUrl)) ? 'failed' : 'ignored: not pending' };
    }
    case 'checkout.session.expired': {
      const session = object as SessionObject;
      if (session.mode === 'setup') return { result: 'ignored: card not saved' };
      const payment = await lock({ id: paymentIdOf(session.metadata), checkoutSessionId: session.id });
      if (!payment) return { result: 'ignored: no such payment' };
      return { result: (await markPaymentExpired(trx, payment, now)) ? 'expired' : 'ignored: not pending' };
    }
    case 'payment_intent.succeeded': {
      const intent = object as IntentObject;
      const payment = await lock({ id: paymentIdOf(intent.metadata), paymentIntentId: intent.id });
      if (!payment) return { result: 'ignored: no such payment' };
      return credited(await creditPayment(trx, payment, { paymentIntentId: intent.id, amountMinor: intent.amount_received, currency: intent.currency, chargeId: idOf(intent.latest_charge) }, now), payment);
    }
    case 'payment_intent.payment_failed': {
      const intent = object as IntentObject;
      const payment = await lock({ id: paymentIdOf(intent.metadata), paymentIntentId: intent.id });
      if (!payment) return { result: 'ignored: no such payment' };
      const reason = intent.last_payment_error?.message ?? 'The payment failed';
      // A refill whose decline the charge itself never reported (the process died first) is mailed here.
      const failed = await markPaymentFailed(trx, payment, reason, now, publicUrl);
      return { result: failed ? 'failed' : 'ignored: not pending' };
    }
    case 'charge.succeeded': {
      const charge = object as ChargeObject;
      const payment = await lock({ id: paymentIdOf(charge.metadata), paymentIntentId: idOf(charge.payment_intent) });
      if (!payment) return { result: 'ignored: no such payment' };
      const card = charge.payment_method_details?.card;
      await recordCardFacts(trx, payment, { chargeId: charge.id, brand: card?.brand, last4: card?.last4, receiptUrl: charge.receipt_url }, now);
      return { result: 'card recorded' };
    }
    case 'charge.refunded': {
      const charge = object as ChargeObject;
      const payment = await lock({ id: paymentIdOf(charge.metadata), paymentIntentId: idOf(charge.payment_intent) });
      if (!payment) return { result: 'ignored: no such payment' };
      const posted = await applyRefundedTotal(trx, payment, charge.amount_refunded, now);
      return { result: posted ? 'refunded' : 'ignored: refund already posted' };
    }
    case 'charge.dispute.created': {
      const dispute = object as DisputeObject;
      const payment = await lock({ paymentIntentId: idOf(dispute.payment_intent) });
      if (!payment) return { result: 'ignored: no such payment' };
      const fresh = await recordDispute(trx, payment, { disputeId: dispute.id, amountMinor: dispute.amount, currency: dispute.currency, reason: dispute.reason, status: dispute.status }, now);
      return { result: fresh ? 'dispute recorded' : 'ignored: dispute known' };
    }
    default:
      return { result: 'ignored: unhandled type' };
  }
}

function credited(outcome: Awaited<ReturnType<typeof creditPayment>>, payment: PaymentRow): Handled {
  return outcome.credited ? { result: 'credited', creditedAccountId: payment.account_id } : { result: `ignored: ${outcome.reason}` };
}

interface CardOfSetup { paymentMethodId: string; brand: string | undefined; last4: string | undefined }

/** A refill card saved through Checkout in setup mode: the account is in the session's metadata. */
async function saveCard(trx: Transaction, session: SessionObject, card: CardOfSetup | undefined, now: Date): Promise<Handled> {
  const accountId = Number(session.metadata?.refill_account_id);
  if (!card || !Number.isSafeInteger(accountId) || accountId <= 0) return { result: 'ignored: no card' };
  await saveRefillSettings(trx, accountId, {
    stripe_customer_id: idOf(session.customer) ?? null, payment_method_id: card.paymentMethodId,
    card_brand: card.brand ?? null, card_last4: card.last4 ?? null, last_failure_at: null, last_failure_message: null,
  }, now);
  return { result: 'card saved' };
}

export async function handleStripeWebhook(
  db: Db,
  config: StripeSettingsConfig & Pick<Config, 'publicUrl'>,
  logger: Pick<Logger, 'warn' | 'info' | 'error'>,
  input: StripeWebhookInput,
): Promise<StripeWebhookOutcome> {
  const keys = await loadStripeKeys(db, config, input.payeeResellerId);
  if (!keys?.webhookSecret || !input.signature) {
    logger.warn({ payee: input.payeeResellerId ?? 'operator' }, 'stripe webhook refused: no webhook secret set or no signature');
    return { status: 400, result: 'not configured or unsigned' };
  }
  const stripe = stripeClient(config, keys);
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(input.rawBody, input.signature, keys.webhookSecret);
  } catch (error) {
    logger.warn({ payee: input.payeeResellerId ?? 'operator', err: error }, 'stripe webhook refused: bad signature');
    return { status: 400, result: 'bad signature' };
  }
  let setupCard: CardOfSetup | undefined;
  const object = event.data.object as unknown as SessionObject;
  if (event.type === 'checkout.session.completed' && object.mode === 'setup') {
    const setupIntentId = idOf(object.setup_intent);
    if (setupIntentId) {
      const intent = await stripe.setupIntents.retrieve(setupIntentId, { expand: ['payment_method'] });
      const method = intent.payment_method;
      if (method) setupCard = typeof method === 'string' ? { paymentMethodId: method, brand: undefined, last4: undefined } : { paymentMethodId: method.id, brand: method.card?.brand, last4: method.card?.last4 };
    }
  }
  const handled = await inTransaction(db, async (trx) => {
    const fresh = await claimStripeEvent(trx, { id: event.id, type: event.type, payeeResellerId: input.payeeResellerId, now: input.now });
    if (!fresh) return { result: 'duplicate' } satisfies Handled;
    return applyEvent(trx, input.payeeResellerId, event, input.now, setupCard, config.publicUrl);
  });
  logger.info({ eventId: event.id, type: event.type, result: handled.result }, 'stripe webhook');
  // As after a manual payment: money in charges the account's suspended renewals at once.
  if (handled.creditedAccountId !== undefined) {
    await retryAccountRenewals(db, handled.creditedAccountId, input.now).catch((error: unknown) => logger.error({ err: error }, 'renewal retry after payment failed'));
  }
  return { status: 200, result: handled.result, eventId: event.id };
}
