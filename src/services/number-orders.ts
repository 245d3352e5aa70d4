// Buying several numbers at once (the API's number orders): all of them or none, in one
// transaction, each through the same acquisition steps as a purchase on the Buy DIDs page; an order
// by hold_id ends that hold as ordered. A number under the buyer's live hold (ordered by hold_id or
// by number) is charged the setup and monthly fee locked when it was held, as on the pages; ordered
// by number, it leaves its hold, and a hold left with no numbers is released (acquisition.ts).
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { findAccountById, lockAccount } from '../db/repos/accounts.ts';
import { findOffersByNumber } from '../db/queries/offers.ts';
import { endHold, listHoldItems, lockHold } from '../db/repos/number-holds.ts';
import { findOrder, insertOrder, insertOrderItems, listOrderItems, setOrderTotal, type OrderItemRow, type OrderRow } from '../db/repos/number-orders.ts';
import type { LedgerEntryRow } from '../db/repos/ledger.ts';
import type { SubscriptionRow } from '../db/repos/subscriptions.ts';
import { Money, toStored } from '../domain/money.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { chargeFirstPeriod, firstPeriodOf, recordAcquisition, requireFunds, sellerOf, subscribe, takeForBuyer, type PricingSettings } from './acquisition.ts';
import { holdStatus } from './number-holds.ts';

export interface OrderInput {
  accountId: number;
  numbers?: string[] | undefined;
  holdId?: number | undefined;
  now: Date;
  actorId: number;
  pricing: PricingSettings;
}

export interface OrderView {
  order: OrderRow;
  items: Array<OrderItemRow & { subscription?: SubscriptionRow; entries?: LedgerEntryRow[] }>;
  /** The buyer's balance after the order (at the time of the answer). */
  balance: string;
}

async function numbersOfHold(db: Db, accountId: number, holdId: number, now: Date): Promise<string[]> {
  const hold = await lockHold(db, accountId, holdId);
  if (!hold) throw new NotFoundError('No such hold');
  const status = holdStatus(hold, now);
  if (status !== 'active') throw new ConflictError(`This hold is ${status}: hold the numbers again to order them`);
  return (await listHoldItems(db, [hold.id])).map((item) => item.number);
}

/** Buys every number (or every number of the hold) or none; InsufficientFunds, Conflict or NotFound leave nothing charged. */
export async function orderNumbers(db: Db, input: OrderInput): Promise<OrderView> {
  const { accountId, now, actorId, pricing } = input;
  return inTransaction(db, async (trx) => {
    // The buyer first, then its hold: the order a purchase locks them in (acquisition.ts).
    const buyer = await lockAccount(trx, accountId);
    if (!buyer) throw new NotFoundError('Account not found');
    const numbers = input.holdId !== undefined ? await numbersOfHold(trx, accountId, input.holdId, now) : [...new Set(input.numbers ?? [])];
    if (numbers.length === 0) throw new ValidationError('Name at least one number', { numbers: 'Name at least one number' });
    const { shelf } = await sellerOf(trx, buyer);
    const offers = await findOffersByNumber(trx, shelf, { accountId, now }, numbers);
    if (offers.length !== numbers.length) {
      const found = new Set(offers.map((offer) => offer.number));
      throw new ConflictError(`Not available (sold, held by someone else, or not for sale): ${numbers.filter((n) => !found.has(n)).join(', ')}; nothing was charged.`);
    }
    const order = await insertOrder(trx, { account_id: accountId, hold_id: input.holdId ?? null, total: '0', created_at: now });
    const items: OrderView['items'] = [];
    let total = new Money(0);
    for (const offer of offers.sort((a, b) => a.number.localeCompare(b.number))) {
      const key = `order-${order.id}-${offer.id}`;
      // A number under the buyer's live hold is charged the prices of hold time (takeForBuyer).
      const taken = await takeForBuyer(trx, accountId, offer.id, key, now, { orderedHoldId: input.holdId });
      if (taken.kind === 'replayed') throw new ConflictError('This order was placed already');
      await requireFunds(trx, taken, pricing.decimals, now, pricing.prorateFirstPeriod);
      const subscription = await subscribe(trx, taken, key, now);
      const entries = await chargeFirstPeriod(trx, taken, subscription, { key, actorId, now, pricing });
      await recordAcquisition(trx, taken, subscription, entries, { action: 'did.purchase', actorId, now, pricing });
      const item = {
        order_id: order.id, product_id: offer.id, subscription_id: subscription.id, number: offer.number,
        // What was charged: a calendar month's first period is its prorated part.
        setup_fee: taken.terms.setup_fee, first_period: toStored(new Money(firstPeriodOf(taken, now, pricing).amount)),
      };
      total = total.plus(item.setup_fee).plus(item.first_period);
      items.push({ ...item, subscription, entries });
    }
    await insertOrderItems(trx, items.map(({ subscription: _s, entries: _e, ...item }) => item));
    if (input.holdId !== undefined) await endHold(trx, input.holdId, 'ordered_at', now);
    const saved = await setOrderTotal(trx, order.id, toStored(total));
    const after = (await findAccountById(trx, accountId))!;
    return { order: saved, items, balance: after.balance };
  });
}

export async function loadOrder(db: Db, accountId: number, orderId: number): Promise<OrderView> {
  const order = await findOrder(db, accountId, orderId);
  if (!order) throw new NotFoundError('No such order');
  const account = (await findAccountById(db, accountId))!;
  return { order, items: await listOrderItems(db, order.id), balance: account.balance };
}
