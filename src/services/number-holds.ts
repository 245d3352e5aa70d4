// Holding numbers for a while before buying them: all the numbers asked for or none, each taken by
// a conditional update of its product row (so two accounts never hold one number, and a purchase
// by anyone else is refused until the hold ends), and each at the prices the holder pays at hold
// time: its order pays those while the hold lives, whatever the seller changes meanwhile. Ended by the holder, by an order, or by time:
// the expiry job records `hold.expired`. A number of it bought any other way leaves it, and the
// purchase that takes its last number releases it (acquisition.ts).
import type { Db } from '../db/knex.ts';
import { startRecurringJob, type RecurringJob } from './recurring-job.ts';
import { inTransaction } from '../db/transaction.ts';
import { findAccountById } from '../db/repos/accounts.ts';
import { findOffersByNumber } from '../db/queries/offers.ts';
import {
  endHold,
  findHold,
  holdProducts,
  insertHold,
  insertHoldItems,
  listHoldItems,
  listHolds,
  listStillHeldItems,
  lockDueHolds,
  lockHold,
  lockOlderHoldsOf,
  type HoldItemRow,
  type HoldRow,
} from '../db/repos/number-holds.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { leaveHold, sellerOf } from './acquisition.ts';
import { recordEvent } from './events.ts';

export type HoldStatus = 'active' | 'released' | 'expired' | 'ordered';

export interface HoldView extends HoldRow {
  status: HoldStatus;
  numbers: string[];
  items: HoldItemRow[];
}

export function holdStatus(hold: HoldRow, now: Date): HoldStatus {
  if (hold.ordered_at) return 'ordered';
  if (hold.released_at) return 'released';
  if (hold.expired_at || hold.expires_at.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

function viewOf(hold: HoldRow, items: HoldItemRow[], now: Date): HoldView {
  const own = items.filter((item) => item.hold_id === hold.id);
  return { ...hold, status: holdStatus(hold, now), numbers: own.map((item) => item.number), items: own };
}

export interface HoldInput {
  accountId: number;
  numbers: string[];
  minutes: number;
  maxMinutes: number;
  now: Date;
}

/** Holds every number asked for, or none (409 naming those not available). */
export async function holdNumbers(db: Db, input: HoldInput): Promise<HoldView> {
  const numbers = [...new Set(input.numbers)];
  if (numbers.length === 0) throw new ValidationError('Name at least one number', { numbers: 'Name at least one number' });
  if (input.minutes < 1 || input.minutes > input.maxMinutes) {
    throw new ValidationError(`A hold lasts 1 to ${input.maxMinutes} minutes`, { minutes: `From 1 to ${input.maxMinutes}` });
  }
  return inTransaction(db, async (trx) => {
    const account = await findAccountById(trx, input.accountId);
    if (!account) throw new NotFoundError('Account not found');
    const { shelf } = await sellerOf(trx, account);
    const hold = await insertHold(trx, account.id, input.now, new Date(input.now.getTime() + input.minutes * 60_000));
    // A number this account holds already moves to the new hold: its older hold is locked first
    // (holds before products, the order a release and a purchase take), and left below.
    const older = await lockOlderHoldsOf(trx, account.id, numbers, hold.id, input.now);
    const held = await holdProducts(trx, hold, shelf, numbers);
    if (held.length !== numbers.length) {
      const taken = new Set(held.map((row) => row.number));
      const missing = numbers.filter((number) => !taken.has(number));
      // Thrown inside the transaction: nothing is held.
      throw new ConflictError(`Not available to hold (sold, held by someone else, or not for sale): ${missing.join(', ')}`);
    }
    // The prices this buyer pays now are the prices its order pays while the hold lives.
    const prices = new Map((await findOffersByNumber(trx, shelf, { accountId: account.id, now: input.now }, numbers)).map((offer) => [offer.id, offer]));
    const items = held.map((row) => {
      const offer = prices.get(row.id);
      return { hold_id: hold.id, product_id: row.id, number: row.number, setup_fee: offer?.setup_fee ?? null, monthly_fee: offer?.monthly_fee ?? null };
    });
    await insertHoldItems(trx, items);
    // As when a held number is bought: it leaves the older hold, which ends (released) once empty.
    for (const moved of older) await leaveHold(trx, moved.hold_id, moved.product_id, input.now);
    return viewOf(hold, items, input.now);
  });
}

export async function loadHold(db: Db, accountId: number, holdId: number, now: Date): Promise<HoldView> {
  const hold = await findHold(db, accountId, holdId);
  if (!hold) throw new NotFoundError('No such hold');
  return viewOf(hold, await listHoldItems(db, [hold.id]), now);
}

export async function loadHolds(db: Db, accountId: number, options: { limit: number; belowId?: number | undefined; activeOnly?: boolean }, now: Date): Promise<HoldView[]> {
  const holds = await listHolds(db, accountId, { limit: options.limit, belowId: options.belowId, activeAt: options.activeOnly ? now : undefined });
  const items = await listHoldItems(db, holds.map((hold) => hold.id));
  return holds.map((hold) => viewOf(hold, items, now));
}

/** The holder lets its numbers go; a hold that ended already is left as it is. */
export async function releaseHold(db: Db, accountId: number, holdId: number, now: Date): Promise<HoldView> {
  return inTransaction(db, async (trx) => {
    const hold = await lockHold(trx, accountId, holdId);
    if (!hold) throw new NotFoundError('No such hold');
    if (holdStatus(hold, now) === 'active') await endHold(trx, hold.id, 'released_at', now);
    return loadHold(trx, accountId, holdId, now);
  });
}

const BATCH = 200;

/** Ends the holds past their time (each with a `hold.expired` event); concurrent runs skip each other's rows. */
export async function expireHolds(db: Db, now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await inTransaction(db, async (trx) => {
      const due = await lockDueHolds(trx, now, BATCH);
      // Read before ending them: a number bought or held again since is no longer this hold's.
      const items = await listStillHeldItems(trx, due.map((hold) => hold.id));
      for (const hold of due) {
        await endHold(trx, hold.id, 'expired_at', now);
        await recordEvent(trx, {
          type: 'hold.expired',
          accountId: hold.account_id,
          occurredAt: now,
          data: { hold_id: hold.id, numbers: items.filter((item) => item.hold_id === hold.id).map((item) => item.number), expires_at: hold.expires_at.toISOString() },
        });
      }
      return due.length;
    });
    total += count;
    if (count < BATCH) return total;
  }
}

export type HoldExpiry = RecurringJob;

/** Every `intervalMs` (30 s by default), in each app process. */
export function startHoldExpiry(db: Db, logger: Pick<Logger, 'info' | 'error'>, intervalMs = 30_000, clock: () => Date = () => new Date()): HoldExpiry {
  return startRecurringJob(() => expireHolds(db, clock()), intervalMs, logger, { done: 'number holds expired', failed: 'expiring number holds failed', count: 'expired' });
}
