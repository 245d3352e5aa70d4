// The steps every acquisition of a number shares, whether the holder buys it or the admin assigns
// it: take it off the seller's shelf by a conditional update (so it is sold once, whatever runs
// concurrently), at the terms the buyer pays (a live hold of its own keeps the prices of hold
// time; the number leaves that hold, and an emptied hold ends), check the buyer's funds under its
// row lock, subscribe, charge the first period, and record it. The use cases that compose them are
// in purchases.ts.
import { findSellerName } from '../db/repos/company-profiles.ts';
import type { Db } from '../db/knex.ts';
import type { Transaction } from '../db/transaction.ts';
import { findAccountById, lockAccount, type AccountRow } from '../db/repos/accounts.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { findDid, findSubscriptionByPurchaseKey, insertSubscription, takeFromShelf, type Shelf } from '../db/repos/did-holdings.ts';
import type { DidRow } from '../db/repos/dids.ts';
import { findPurchaseEntries, type LedgerEntryRow } from '../db/repos/ledger.ts';
import { endHold, findLockedPrices, lockLiveHoldOfProduct, removeHoldItem, type LockedPrices } from '../db/repos/number-holds.ts';
import { findResellerPrice, pickTerms, upsertResellerPrice } from '../db/repos/reseller-prices.ts';
import type { SubscriptionRow } from '../db/repos/subscriptions.ts';
import { startTerm, type TermStart } from '../domain/billing-calendar.ts';
import { Money, sumMoney, toPlain, toStored } from '../domain/money.ts';
import { defaultSellTerms, type PriceTerms } from '../domain/sell-terms.ts';
import { ConflictError, InsufficientFundsError, NotFoundError, ValidationError, isUniqueViolation } from '../errors.ts';
import { postLedgerEntry } from '../db/ledger-writer.ts';
import { availableFunds, lockReservedForCalls } from './ledger.ts';
import { recordEvent } from './events.ts';

export const JUST_SOLD_MESSAGE = 'This number was just sold to someone else; nothing was charged.';
export const NOT_FOR_SALE_MESSAGE = 'This number is not for sale.';

/** How a reseller's sell terms start (RESELLER_DEFAULT_MARKUP_PERCENT) and how amounts are rounded (MONEY_DECIMALS). */
export interface PricingSettings {
  markupPercent: string;
  decimals: number;
  /** PRORATE_FIRST_PERIOD: a calendar month's first period is prorated (absent: prorated). */
  prorateFirstPeriod?: boolean | undefined;
}

/** What the first period of this number costs the buyer bought at `now`, and when it ends. */
export function firstPeriodOf(
  { buyer, product, terms }: Pick<Acquisition, 'buyer' | 'product' | 'terms'>,
  now: Date,
  pricing: Pick<PricingSettings, 'decimals' | 'prorateFirstPeriod'>,
): TermStart {
  return startTerm(product, terms.monthly_fee, buyer.billing_day, now, { prorate: pricing.prorateFirstPeriod ?? true, decimals: pricing.decimals });
}

export interface PurchaseResult {
  subscription: SubscriptionRow;
  product: DidRow;
  /** The ledger rows of this purchase (none when nothing was charged). */
  entries: LedgerEntryRow[];
  /** True when the key had bought already: the first purchase is returned and nothing new is charged. */
  replayed: boolean;
}

export interface Seller {
  seller: AccountRow;
  shelf: Shelf;
}

const KEY_PATTERN = /^[A-Za-z0-9_-]{8,100}$/;

export function isPurchaseKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Who sells to this buyer, and from which shelf: the admin's stock, or its reseller's unassigned numbers. */
export async function sellerOf(db: Db, buyer: AccountRow): Promise<Seller> {
  if (buyer.role === 'admin' || buyer.parent_id === null) throw new ValidationError('The admin does not buy numbers');
  const seller = await findAccountById(db, buyer.parent_id);
  if (!seller) throw new NotFoundError('The seller of this account does not exist');
  if (seller.role === 'admin') return { seller, shelf: { kind: 'admin_stock' } };
  if (buyer.role === 'customer' && seller.role === 'reseller') return { seller, shelf: { kind: 'reseller', resellerId: seller.id } };
  throw new ValidationError('This account cannot buy numbers');
}

/** The terms the buyer pays: the product's own (admin stock) or the reseller's sell terms, if it set them. */
export async function sellTerms(db: Db, shelf: Shelf, product: DidRow): Promise<PriceTerms | undefined> {
  if (shelf.kind === 'admin_stock') return pickTerms(product);
  const price = await findResellerPrice(db, shelf.resellerId, product.id);
  return price ? pickTerms(price) : undefined;
}

/**
 * The terms this buyer pays for the number now: its seller's, with the setup and monthly fee it
 * locked by a live hold of its own (number-holds.ts). Read before the number is taken: taking it
 * ends the hold on the product row.
 */
export async function buyerTerms(db: Db, shelf: Shelf, product: DidRow, buyerId: number, now: Date): Promise<PriceTerms | undefined> {
  const terms = await sellTerms(db, shelf, product);
  if (!terms) return undefined;
  return withLockedPrices(terms, (await findLockedPrices(db, buyerId, [product.id], now)).get(product.id));
}

function withLockedPrices(terms: PriceTerms, locked: LockedPrices | undefined): PriceTerms {
  return locked ? { ...terms, setup_fee: locked.setup_fee, monthly_fee: locked.monthly_fee } : terms;
}

async function replay(db: Db, subscription: SubscriptionRow, productId: number): Promise<PurchaseResult> {
  if (subscription.product_id !== productId) {
    throw new ConflictError('This purchase form was already used for another number. Reload the page and try again.');
  }
  const product = await findDid(db, productId);
  if (!product) throw new NotFoundError(NOT_FOR_SALE_MESSAGE);
  return { subscription, product, entries: await findPurchaseEntries(db, subscription.account_id, subscription.id), replayed: true };
}

/** Why a number could not be taken: gone from sale (404), or sold to someone else (409). */
async function unavailable(db: Db, productId: number, shelf: Shelf): Promise<Error> {
  const product = await findDid(db, productId);
  if (!product || product.status !== 'active' || product.archived_at !== null) return new NotFoundError(NOT_FOR_SALE_MESSAGE);
  if (shelf.kind === 'admin_stock') return new ConflictError(JUST_SOLD_MESSAGE);
  // A reseller's customer only ever learns about that reseller's numbers.
  if (product.reseller_id === shelf.resellerId) return new ConflictError(JUST_SOLD_MESSAGE);
  return new NotFoundError(NOT_FOR_SALE_MESSAGE);
}

/** How a receipt names the first period: "first period to 2027-02-01 (17 of 31 days, prorated)". */
export function describePeriod(product: Pick<DidRow, 'billing_period' | 'billing_type' | 'billing_days'>, first: TermStart): string {
  if (first.proration) {
    const end = first.nextBillingAt!.toISOString().slice(0, 10);
    return first.proration.prorated
      ? `first period to ${end} (${first.proration.days} of ${first.proration.daysInPeriod} days, prorated)`
      : `first period to ${end} (full month)`;
  }
  if (product.billing_period === 'year') return `first year (to ${first.nextBillingAt!.toISOString().slice(0, 10)})`;
  if (product.billing_type === 'one_time') {
    return product.billing_days === 0 ? 'one-time fee' : `one-time fee (${product.billing_days} days)`;
  }
  return `first period (${product.billing_days} days)`;
}

/** The number taken off its shelf for the buyer, at the terms the buyer pays; or the purchase this key made before. */
type Taken = { kind: 'replayed'; result: PurchaseResult } | { kind: 'taken'; buyer: AccountRow; seller: AccountRow; shelf: Shelf; product: DidRow; terms: PriceTerms };

/**
 * A bought number leaves the buyer's hold it was under, and a hold with no numbers left is ended
 * (released) in the purchase's transaction, however the number was bought: by a hold's order
 * (which ends that hold as ordered itself: `orderedHoldId`), by listing numbers, or on the pages.
 */
export async function leaveHold(trx: Transaction, holdId: number, productId: number, now: Date): Promise<void> {
  if ((await removeHoldItem(trx, holdId, productId)) === 0) await endHold(trx, holdId, 'released_at', now);
}

export async function takeForBuyer(
  trx: Transaction,
  buyerId: number,
  productId: number,
  key: string,
  now: Date,
  options: { orderedHoldId?: number | undefined } = {},
): Promise<Taken> {
  // The buyer's row is locked first: giving it the number takes a key-share lock on it (the
  // foreign key), so locking it only afterwards would deadlock two purchases of one buyer.
  const buyer = await lockAccount(trx, buyerId);
  if (!buyer) throw new NotFoundError('Account not found');
  if (buyer.status !== 'active') throw new ConflictError(`The account ${buyer.name} is ${buyer.status} and cannot buy numbers.`);
  const earlier = await findSubscriptionByPurchaseKey(trx, buyer.id, key);
  if (earlier) return { kind: 'replayed', result: await replay(trx, earlier, productId) };

  const { seller, shelf } = await sellerOf(trx, buyer);
  if (seller.status !== 'active') throw new ConflictError(`${await findSellerName(trx, seller)} is not selling numbers at the moment; nothing was charged.`);
  const holder =
    buyer.role === 'reseller'
      ? { reseller_id: buyer.id, customer_id: null }
      : { reseller_id: shelf.kind === 'reseller' ? shelf.resellerId : null, customer_id: buyer.id };
  // Locked before the product, as a release locks them; read before taking it clears the product's
  // hold. Its prices are read under that lock, so a re-hold cannot move the number in between.
  const hold = await lockLiveHoldOfProduct(trx, buyer.id, productId, now);
  const locked = (await findLockedPrices(trx, buyer.id, [productId], now)).get(productId);
  const product = await takeFromShelf(trx, productId, shelf, holder, now);
  if (!product) {
    // The same form sent twice at once: the other request bought it and has committed.
    const concurrent = await findSubscriptionByPurchaseKey(trx, buyer.id, key);
    if (concurrent) return { kind: 'replayed', result: await replay(trx, concurrent, productId) };
    throw await unavailable(trx, productId, shelf);
  }
  const terms = await sellTerms(trx, shelf, product);
  if (!terms) throw new NotFoundError(NOT_FOR_SALE_MESSAGE);
  if (hold && hold.id !== options.orderedHoldId) await leaveHold(trx, hold.id, product.id, now);
  // A number the buyer holds costs what it cost when the hold was made.
  return { kind: 'taken', buyer, seller, shelf, product, terms: withLockedPrices(terms, locked) };
}

export type Acquisition = Extract<Taken, { kind: 'taken' }>;

export async function requireFunds(trx: Transaction, acquisition: Acquisition, decimals: number, now: Date, prorateFirstPeriod = true): Promise<void> {
  await requireFundsForAll(trx, acquisition.buyer, [acquisition], decimals, now, prorateFirstPeriod);
}

/**
 * The buyer's available funds cover the setup fees and first periods of every number it takes at
 * once: each first period as its own purchase would charge it (a calendar month's prorated part).
 */
export async function requireFundsForAll(
  trx: Transaction,
  buyer: AccountRow,
  acquisitions: Array<Pick<Acquisition, 'product' | 'terms'>>,
  decimals: number,
  now: Date,
  prorateFirstPeriod = true,
): Promise<void> {
  const setup = sumMoney(acquisitions.map(({ terms }) => terms.setup_fee));
  const period = sumMoney(acquisitions.map(({ product, terms }) => firstPeriodOf({ buyer, product, terms }, now, { decimals, prorateFirstPeriod }).amount));
  const total = setup.plus(period);
  if (total.isZero()) return;
  // Money reserved for the buyer's calls in progress is not spent here (locked until commit).
  const reserved = (await lockReservedForCalls(trx, [buyer.id], now)).get(buyer.id)!;
  const funds = new Money(availableFunds(buyer, reserved));
  if (funds.lessThan(total)) {
    const plain = (amount: Money) => toPlain(amount, decimals);
    const periods = acquisitions.length === 1 ? 'first period' : 'first periods';
    throw new InsufficientFundsError(
      `Available funds ${plain(funds)} do not cover ${plain(total)} (setup ${plain(setup)} + ${periods} ${plain(period)}): ${plain(total.minus(funds))} missing; nothing was charged.`,
    );
  }
}

export async function subscribe(trx: Transaction, acquisition: Acquisition, key: string, now: Date): Promise<SubscriptionRow> {
  const { buyer, seller, product, terms } = acquisition;
  // Where the first period ends does not depend on proration or rounding.
  const first = firstPeriodOf(acquisition, now, { decimals: 0 });
  return insertSubscription(trx, {
    product_id: product.id,
    account_id: buyer.id,
    seller_id: seller.id,
    billing_type: product.billing_type,
    billing_days: product.billing_days,
    billing_period: product.billing_period,
    billing_day: first.billingDay,
    setup_fee: terms.setup_fee,
    price: terms.monthly_fee,
    started_at: now,
    next_billing_at: first.nextBillingAt,
    purchase_key: key,
  });
}

/**
 * The setup fee and the first period, each a ledger row (none for a zero amount). A calendar
 * month's first period needs `pricing` (its proration and rounding).
 */
export async function chargeFirstPeriod(
  trx: Transaction,
  acquisition: Acquisition,
  subscription: SubscriptionRow,
  context: { key: string; actorId: number; now: Date; pricing?: Pick<PricingSettings, 'decimals' | 'prorateFirstPeriod'> | undefined },
): Promise<LedgerEntryRow[]> {
  const { buyer, product, terms } = acquisition;
  if (product.billing_period === 'month' && !context.pricing) throw new Error('a calendar-month first period needs the pricing settings');
  const first = firstPeriodOf(acquisition, context.now, context.pricing ?? { decimals: 6 });
  const entries: LedgerEntryRow[] = [];
  const charge = async (amount: Money, kind: 'setup_fee' | 'recurring_fee', description: string) => {
    if (amount.isZero()) return;
    const { entry } = await postLedgerEntry(trx, {
      // The first period runs from the purchase to the first renewal (a calendar month's billing day).
      period: kind === 'recurring_fee' ? { start: context.now, end: first.nextBillingAt } : undefined,
      accountId: buyer.id,
      amount: toStored(amount.negated()),
      kind,
      description,
      idempotencyKey: `purchase:${buyer.id}:${context.key}:${kind}`,
      referenceType: 'subscription',
      referenceId: subscription.id,
      createdBy: context.actorId,
      now: context.now,
    });
    entries.push(entry);
  };
  await charge(new Money(terms.setup_fee), 'setup_fee', `Setup fee for ${product.number}`);
  await charge(new Money(first.amount), 'recurring_fee', `${describePeriod(product, first).replace(/^./, (c) => c.toUpperCase())} for ${product.number}`);
  return entries;
}

/** A reseller's sell terms start at the default markup over what it pays; then the audit row and the `number.purchased` event. */
export async function recordAcquisition(
  trx: Transaction,
  { buyer, shelf, product }: Acquisition,
  subscription: SubscriptionRow,
  entries: LedgerEntryRow[],
  context: { action: 'did.purchase' | 'did.assign'; actorId: number; now: Date; pricing: PricingSettings },
): Promise<void> {
  if (buyer.role === 'reseller') {
    await upsertResellerPrice(trx, buyer.id, product.id, defaultSellTerms(pickTerms(product), context.pricing.markupPercent, context.pricing.decimals), context.now);
  }
  await insertAuditEntry(trx, {
    actorId: context.actorId,
    action: context.action,
    entityType: 'product',
    entityId: product.id,
    before: { reseller_id: shelf.kind === 'reseller' ? shelf.resellerId : null, customer_id: null },
    after: { reseller_id: product.reseller_id, customer_id: product.customer_id, subscription_id: subscription.id, charged: entries.map((e) => e.amount) },
    at: context.now,
  });
  await recordEvent(trx, {
    type: 'number.purchased',
    accountId: buyer.id,
    occurredAt: context.now,
    data: {
      number: product.number,
      product_id: product.id,
      subscription_id: subscription.id,
      assigned_by_admin: context.action === 'did.assign',
      setup_fee: entries.find((e) => e.kind === 'setup_fee')?.amount.replace(/^-/, '') ?? '0',
      first_period: entries.find((e) => e.kind === 'recurring_fee')?.amount.replace(/^-/, '') ?? '0',
      price: subscription.price,
      billing_type: subscription.billing_type,
      billing_days: product.billing_days,
      billing_period: subscription.billing_period,
      next_billing_at: subscription.next_billing_at?.toISOString() ?? null,
    },
  });
}

export function purchaseKeyOf(idempotencyKey: string): string {
  const key = idempotencyKey.trim();
  if (!isPurchaseKey(key)) throw new ValidationError('This purchase form is incomplete. Reload the page and try again.');
  return key;
}

/** Runs an acquisition; when two submissions of one form raced past the first look-up, the loser finds the winner's. */
export async function replayingRaces(db: Db, buyerId: number, productId: number, key: string, work: () => Promise<PurchaseResult>): Promise<PurchaseResult> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error, 'subscriptions_purchase_key_unique') || isUniqueViolation(error, 'ledger_entries_idempotency_key_unique')) {
      const earlier = await findSubscriptionByPurchaseKey(db, buyerId, key);
      if (earlier) return replay(db, earlier, productId);
    }
    throw error;
  }
}
