// Automatic refill, run from the billing schedule: for each account with a saved card and the
// refill on, when its available funds are below its threshold and the refill is armed, charge the
// card off-session once and disarm; it is armed again only when the funds are back at or above the
// threshold. So one refill per crossing, and a declined card is not charged again and again: the
// decline is shown on the dashboard until the owner changes the card or the funds recover, and
// mailed once (refill.failed, recorded by markPaymentFailed), in the transaction that records it.
import type { Config } from '../config.ts';
import type { Db } from '../db/knex.ts';
import { findAccountById } from '../db/repos/accounts.ts';
import { insertPayment, lockPaymentOfPayee, updatePayment } from '../db/repos/payments.ts';
import { listActiveRefills, lockRefillSettings, saveRefillSettings, type RefillSettingsRow } from '../db/repos/refill-settings.ts';
import { inTransaction } from '../db/transaction.ts';
import { Money } from '../domain/money.ts';
import { toMinorUnits } from '../domain/stripe-amounts.ts';
import type { Logger } from '../logger.ts';
import { availableFunds, reservedForCalls } from './ledger.ts';
import { retryAccountRenewals } from './renewals.ts';
import { creditPayment, markPaymentFailed } from './stripe-payments.ts';
import { payeeOf, stripeClient } from './stripe-settings.ts';

export type RefillConfig = Pick<Config, 'sessionSecret' | 'stripeApi' | 'currency' | 'publicUrl'>;

export interface RefillSummary {
  charged: number;
  declined: number;
  rearmed: number;
}

async function fundsOf(db: Db, accountId: number, now: Date): Promise<string | undefined> {
  const account = await findAccountById(db, accountId);
  return account ? availableFunds(account, await reservedForCalls(db, accountId, now)) : undefined;
}

/** Disarms the refill and writes its pending payment, or undefined when it no longer applies. */
async function claimRefill(db: Db, config: RefillConfig, settings: RefillSettingsRow, now: Date) {
  return inTransaction(db, async (trx) => {
    const locked = await lockRefillSettings(trx, settings.account_id);
    if (!locked?.armed || !locked.enabled || !locked.payment_method_id) return undefined;
    const account = (await findAccountById(trx, locked.account_id))!;
    const payee = await payeeOf(trx, config, account);
    if (!payee.keys) return undefined;
    await saveRefillSettings(trx, locked.account_id, { armed: false }, now);
    const payment = await insertPayment(trx, { account_id: locked.account_id, payee_reseller_id: payee.resellerId, kind: 'refill', amount: locked.amount, currency: config.currency, created_at: now });
    return { payment, keys: payee.keys, settings: locked };
  });
}

async function chargeRefill(db: Db, config: RefillConfig, settings: RefillSettingsRow, now: Date, logger: Pick<Logger, 'warn' | 'error'>): Promise<'charged' | 'declined' | undefined> {
  const claim = await claimRefill(db, config, settings, now);
  if (!claim) return undefined;
  const { payment, keys } = claim;
  const metadata = { payment_id: String(payment.id), account_id: String(payment.account_id) };
  let outcome: { ok: true; intentId: string; amount: number; currency: string; chargeId: string | undefined } | { ok: false; message: string };
  try {
    const intent = await stripeClient(config, keys).paymentIntents.create({
      amount: toMinorUnits(payment.amount, config.currency)!, currency: config.currency.toLowerCase(),
      customer: claim.settings.stripe_customer_id ?? undefined, payment_method: claim.settings.payment_method_id!,
      off_session: true, confirm: true, metadata, description: 'Automatic refill',
    }, { idempotencyKey: `didhub-refill-${payment.id}` });
    await updatePayment(db, payment.id, { payment_intent_id: intent.id, updated_at: now });
    const charge = typeof intent.latest_charge === 'string' ? intent.latest_charge : intent.latest_charge?.id;
    outcome = intent.status === 'succeeded'
      ? { ok: true, intentId: intent.id, amount: intent.amount_received, currency: intent.currency, chargeId: charge }
      : { ok: false, message: `The card needs the holder's action (${intent.status}): save the card again` };
  } catch (error) {
    // A decline is a StripeCardError with the bank's message; anything else is logged too.
    const message = error instanceof Error ? error.message : 'The card was declined';
    logger.warn({ err: error, accountId: payment.account_id }, 'automatic refill declined');
    outcome = { ok: false, message };
  }
  const credited = await inTransaction(db, async (trx) => {
    const locked = (await lockPaymentOfPayee(trx, payment.payee_reseller_id, { id: payment.id }))!;
    if (!outcome.ok) {
      await markPaymentFailed(trx, locked, outcome.message, now, config.publicUrl);
      return false;
    }
    const result = await creditPayment(trx, locked, { paymentIntentId: outcome.intentId, amountMinor: outcome.amount, currency: outcome.currency, chargeId: outcome.chargeId }, now);
    await saveRefillSettings(trx, payment.account_id, { last_failure_at: null, last_failure_message: null }, now);
    return result.credited;
  });
  if (credited) await retryAccountRenewals(db, payment.account_id, now).catch((error: unknown) => logger.error({ err: error }, 'renewal retry after refill failed'));
  return outcome.ok ? 'charged' : 'declined';
}

export async function runAutomaticRefills(db: Db, config: RefillConfig, now: Date, logger: Pick<Logger, 'warn' | 'error'>): Promise<RefillSummary> {
  const summary: RefillSummary = { charged: 0, declined: 0, rearmed: 0 };
  for (const settings of await listActiveRefills(db)) {
    const funds = await fundsOf(db, settings.account_id, now);
    if (funds === undefined) continue;
    const below = new Money(funds).lessThan(settings.threshold);
    if (!below) {
      if (!settings.armed) {
        await saveRefillSettings(db, settings.account_id, { armed: true }, now);
        summary.rearmed += 1;
      }
      continue;
    }
    if (!settings.armed) continue;
    const done = await chargeRefill(db, config, settings, now, logger);
    if (done) summary[done] += 1;
  }
  return summary;
}
