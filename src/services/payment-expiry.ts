// Abandoned Checkout payments: Stripe closes an unpaid Checkout page after CHECKOUT_EXPIRY_HOURS
// and sends checkout.session.expired, but a webhook can be lost (endpoint not registered for it,
// secret changed, server down for days). This job marks the pending top-ups older than that
// lifetime as expired, so the pages stop saying "pending" forever. It credits and refunds nothing;
// a payment Stripe reports paid later is credited all the same (services/stripe-payments.ts).
// An automatic refill is charged while the billing run waits (services/automatic-refills.ts), so
// one still pending an hour later was cut off by a crash between its claim and Stripe's answer. It
// fails as a decline does (markPaymentFailed: the dashboard notice and the refill.failed mail), so
// its owner learns of it; if Stripe did charge the card, payment_intent.succeeded still credits it.
import type { Config } from '../config.ts';
import type { Db } from '../db/knex.ts';
import { EXPIRED_REFILL_MESSAGE, expirePendingCheckouts, listStalePendingRefills, lockPaymentOfPayee } from '../db/repos/payments.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Logger } from '../logger.ts';
import { startRecurringJob, type RecurringJob } from './recurring-job.ts';
import { markPaymentFailed } from './stripe-payments.ts';

type ExpiryConfig = Pick<Config, 'checkoutExpiryHours' | 'publicUrl'>;

const REFILL_CONFIRMATION_MS = 3_600_000;

export async function expireAbandonedPayments(db: Db, config: ExpiryConfig, now: Date): Promise<number> {
  let done = await expirePendingCheckouts(db, new Date(now.getTime() - config.checkoutExpiryHours * 3_600_000), now);
  for (const stale of await listStalePendingRefills(db, new Date(now.getTime() - REFILL_CONFIRMATION_MS))) {
    const failed = await inTransaction(db, async (trx) => {
      const payment = await lockPaymentOfPayee(trx, stale.payee_reseller_id, { id: stale.id });
      return payment ? markPaymentFailed(trx, payment, EXPIRED_REFILL_MESSAGE, now, config.publicUrl) : false;
    });
    if (failed) done += 1;
  }
  return done;
}

/** Every 15 minutes: a page says "Expired" at most a quarter of an hour after Stripe closed it. */
export function startPaymentExpiry(
  db: Db,
  config: ExpiryConfig,
  logger: Pick<Logger, 'info' | 'error'>,
  intervalMs = 15 * 60_000,
  clock: () => Date = () => new Date(),
): RecurringJob {
  return startRecurringJob(() => expireAbandonedPayments(db, config, clock()), intervalMs, logger, {
    done: 'abandoned payments expired', failed: 'expiring abandoned payments failed', count: 'expired',
  });
}
