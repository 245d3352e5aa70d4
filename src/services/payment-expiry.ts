// Abandoned Checkout payments: Stripe closes an unpaid Checkout page after CHECKOUT_EXPIRY_HOURS
// and sends checkout.session.expired, but a webhook can be lost (endpoint not registered for it,
// secret changed, server down for days). This job marks the pending top-ups older than that
// lifetime as expired, so the pages stop saying "pending" forever. It credits and refunds nothing;
// a payment Stripe reports paid later is credited all the same (services/stripe-payments.ts).
// An automatic refill is charged while the billing run waits (services/automatic-refills.ts), so
// one still pending an hour later was cut off by a crash between its claim and Stripe's answer:
// it expires too, and if Stripe did charge the card, payment_intent.succeeded still credits it.
import type { Config } from '../config.ts';
import type { Db } from '../db/knex.ts';
import { expireStalePendingPayments } from '../db/repos/payments.ts';
import type { Logger } from '../logger.ts';
import { startRecurringJob, type RecurringJob } from './recurring-job.ts';

export async function expireAbandonedPayments(db: Db, config: Pick<Config, 'checkoutExpiryHours'>, now: Date): Promise<number> {
  const checkout = new Date(now.getTime() - config.checkoutExpiryHours * 3_600_000);
  return expireStalePendingPayments(db, { checkout, refill: new Date(now.getTime() - REFILL_CONFIRMATION_MS) }, now);
}

const REFILL_CONFIRMATION_MS = 3_600_000;

/** Every 15 minutes: a page says "Expired" at most a quarter of an hour after Stripe closed it. */
export function startPaymentExpiry(
  db: Db,
  config: Pick<Config, 'checkoutExpiryHours'>,
  logger: Pick<Logger, 'info' | 'error'>,
  intervalMs = 15 * 60_000,
  clock: () => Date = () => new Date(),
): RecurringJob {
  return startRecurringJob(() => expireAbandonedPayments(db, config, clock()), intervalMs, logger, {
    done: 'abandoned payments expired', failed: 'expiring abandoned payments failed', count: 'expired',
  });
}
