// What a billing run does to one subscription, decided without a database or a clock: given the
// subscription, the funds its owner has and the time, the periods to charge, in order, and where
// the subscription ends up (BILLING.md "Who pays for a DID").
import { periodEndAfter, type BillingCycle } from './billing-calendar.ts';
import type { BillingType } from './billing-period.ts';
import { Money } from './money.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A subscription charged daily and left unbilled for 30 years is the most a run catches up on at once. */
const MAX_PERIODS = 11_000;

export interface RenewalSubject {
  status: 'active' | 'suspended';
  billingType: BillingType;
  billingDays: number;
  /** The price locked at purchase, a decimal string. */
  price: string;
  /** Recurring: when the next period is due; one-time: when the number is released (null: never). */
  nextBillingAt: Date | null;
  suspendedAt: Date | null;
  /** When a period ends; absent: every `billingDays` days. */
  cycle?: BillingCycle;
}

export interface RenewalPolicy {
  now: Date;
  /** Days a suspended subscription is kept, unpaid, before its number is released. */
  graceDays: number;
  /**
   * 'full' (the scheduled run): suspend what cannot be paid and release what stayed unpaid past
   * the grace period. 'charge_only' (a retry after a payment): only charge what can be paid now.
   */
  mode: 'full' | 'charge_only';
}

export type RenewalStep =
  | { kind: 'renewed'; periodStart: Date; periodEnd: Date; amount: string }
  | { kind: 'reactivated'; periodStart: Date }
  | { kind: 'suspended'; periodStart: Date; amount: string }
  | { kind: 'released'; periodStart: Date; amount: string }
  | { kind: 'expired'; periodStart: Date };

export interface RenewalPlan {
  steps: RenewalStep[];
  status: 'active' | 'suspended' | 'ended';
  nextBillingAt: Date | null;
  suspendedAt: Date | null;
  /** The owner's funds once the renewed periods are charged. */
  fundsAfter: string;
  /** Sum of the periods charged (positive). */
  charged: string;
}

/** When an unpaid, suspended subscription's number is released. */
export function releaseDueAt(suspendedAt: Date, graceDays: number): Date {
  return new Date(suspendedAt.getTime() + graceDays * DAY_MS);
}

/**
 * Every period due at `now` is charged once, oldest first, while the funds cover it (after
 * downtime the missed periods are caught up in order). The first one the funds do not cover
 * suspends the subscription; a suspended subscription still unpaid when its grace period is over
 * is released. A one-time subscription whose days have passed expires. A price of zero renews
 * without a charge.
 */
export function planRenewal(subject: RenewalSubject, funds: string, policy: RenewalPolicy): RenewalPlan {
  const { now, graceDays, mode } = policy;
  if (!Number.isInteger(graceDays) || graceDays < 0) throw new RangeError(`grace days must be a whole number >= 0, got ${graceDays}`);
  const steps: RenewalStep[] = [];
  let status: RenewalPlan['status'] = subject.status;
  let next = subject.nextBillingAt;
  let suspendedAt = subject.suspendedAt;
  let available = new Money(funds);
  let charged = new Money(0);
  const price = new Money(subject.price);
  const cycle: BillingCycle = subject.cycle ?? { period: 'days', days: subject.billingDays };

  for (let periods = 0; next !== null && next.getTime() <= now.getTime(); periods += 1) {
    if (periods >= MAX_PERIODS) throw new RangeError(`more than ${MAX_PERIODS} periods are due: check the clock`);
    if (subject.billingType === 'one_time') {
      steps.push({ kind: 'expired', periodStart: next });
      status = 'ended';
      break;
    }
    if (price.isZero() || available.greaterThanOrEqualTo(price)) {
      const periodEnd = periodEndAfter(next, cycle);
      if (status === 'suspended') steps.push({ kind: 'reactivated', periodStart: next });
      steps.push({ kind: 'renewed', periodStart: next, periodEnd, amount: price.toFixed() });
      available = available.minus(price);
      charged = charged.plus(price);
      status = 'active';
      suspendedAt = null;
      next = periodEnd;
      continue;
    }
    if (mode === 'charge_only') break;
    if (status === 'active') {
      status = 'suspended';
      suspendedAt = now;
      steps.push({ kind: 'suspended', periodStart: next, amount: price.toFixed() });
    }
    if (suspendedAt !== null && releaseDueAt(suspendedAt, graceDays).getTime() <= now.getTime()) {
      steps.push({ kind: 'released', periodStart: next, amount: price.toFixed() });
      status = 'ended';
    }
    break;
  }
  return { steps, status, nextBillingAt: next, suspendedAt, fundsAfter: available.toFixed(), charged: charged.toFixed() };
}
