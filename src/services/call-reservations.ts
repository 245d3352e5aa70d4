// Expiry of credit reserved for calls whose CDR never came. A slot past its expiry (ring time +
// allowance + margin) already counts for nothing (lock_call_reservations takes it off the
// account's reservations); releasing it deletes it, gives the amount back to the account's total
// and lists it for the admin (Expired reservations, and a count on the dashboard).
import type { Db } from '../db/knex.ts';
import { releaseCallSlots } from '../db/repos/call-slots.ts';
import type { Logger } from '../logger.ts';
import { startRecurringJob, type RecurringJob } from './recurring-job.ts';

const BATCH = 1000;

/** Releases every expired reservation, a thousand per statement; returns how many went. */
export async function releaseExpiredReservations(db: Db, now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const released = await releaseCallSlots(db, [], now, BATCH);
    total += released;
    if (released < BATCH) return total;
  }
}

export type ReservationExpiry = RecurringJob;

/** Every `intervalMs` (a minute by default), in each app process; concurrent runs are safe (row locks). */
export function startReservationExpiry(
  db: Db,
  logger: Pick<Logger, 'info' | 'error'>,
  intervalMs = 60_000,
  clock: () => Date = () => new Date(),
): ReservationExpiry {
  return startRecurringJob(() => releaseExpiredReservations(db, clock()), intervalMs, logger, {
    done: 'expired call reservations released', failed: 'releasing expired call reservations failed', count: 'released',
  });
}
