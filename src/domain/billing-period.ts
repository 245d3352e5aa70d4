// When a subscription's first period ends (BILLING.md "Who pays for a DID").
export type BillingType = 'one_time' | 'recurring';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Recurring: the next charge, `billingDays` after `from`. One-time: the day the number is
 * released, `billingDays` after `from`, or null when it is held with no end (0 days).
 */
export function nextBillingAt(from: Date, billingType: BillingType, billingDays: number): Date | null {
  if (!Number.isInteger(billingDays) || billingDays < 0) throw new RangeError(`billing days must be a whole number >= 0, got ${billingDays}`);
  if (billingType === 'recurring' && billingDays < 1) throw new RangeError('a recurring subscription needs at least 1 billing day');
  if (billingDays === 0) return null;
  return new Date(from.getTime() + billingDays * DAY_MS);
}
