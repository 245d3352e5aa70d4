// Buying, releasing and reclaiming numbers. Each is one transaction: the number changes hands
// through a conditional update (so it is sold once, whatever runs concurrently), the buyer's
// funds are checked under its row lock, and the subscription and ledger rows are written with it.
import type { Knex } from 'knex';
import type { Db } from '../db/knex.ts';
import { findAccountById, lockAccount, type AccountRow } from '../db/repos/accounts.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import {
  clearHolders,
  endLiveSubscriptions,
  findDid,
  findSubscriptionByPurchaseKey,
  insertSubscription,
  lockDid,
  returnFromCustomer,
  returnFromReseller,
  takeFromShelf,
  whereOnShelf,
  type DidRow,
  type Shelf,
} from '../db/repos/did-holdings.ts';
import type { LedgerEntryRow } from '../db/repos/ledger.ts';
import { deleteResellerPrices, findResellerPrice, pickTerms, upsertResellerPrice } from '../db/repos/reseller-prices.ts';
import type { SubscriptionRow } from '../db/repos/subscriptions.ts';
import { nextBillingAt } from '../domain/billing-period.ts';
import { Money, toPlain, toStored } from '../domain/money.ts';
import { applyMarkup, type DidTerms } from '../domain/sell-terms.ts';
import { ConflictError, InsufficientFundsError, NotFoundError, ValidationError, isUniqueViolation } from '../errors.ts';
import { availableFunds, lockReservedForCalls, postLedgerEntry, reservedForCalls } from './ledger.ts';

export const JUST_SOLD_MESSAGE = 'This number was just sold to someone else; nothing was charged.';
export const NOT_FOR_SALE_MESSAGE = 'This number is not for sale.';

/** How a reseller's sell terms start (RESELLER_DEFAULT_MARKUP_PERCENT) and how amounts are rounded (MONEY_DECIMALS). */
export interface PricingSettings {
  markupPercent: string;
  decimals: number;
}

export const DEFAULT_PRICING: PricingSettings = { markupPercent: '20', decimals: 4 };

export interface PurchaseInput {
  buyerId: number;
  productId: number;
  /** The random key of the purchase form: the same key never buys twice. */
  idempotencyKey: string;
  now: Date;
  actorId: number;
  /** Default true; false = the admin assigns the number without charging. */
  chargeBuyer?: boolean;
  pricing?: PricingSettings;
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
async function sellTerms(db: Db, shelf: Shelf, product: DidRow): Promise<DidTerms | undefined> {
  if (shelf.kind === 'admin_stock') return pickTerms(product);
  const price = await findResellerPrice(db, shelf.resellerId, product.id);
  return price ? pickTerms(price) : undefined;
}

export interface PurchaseQuote {
  buyer: AccountRow;
  seller: AccountRow;
  product: DidRow;
  /** What the buyer pays: setup, period price and the per-minute terms of its calls. */
  terms: DidTerms;
  setupFee: string;
  firstPeriod: string;
  total: string;
  /** Recurring: when the next period is charged; one-time: when the number is released (null: never). */
  nextBillingAt: Date | null;
  fundsBefore: string;
  fundsAfter: string;
  enough: boolean;
}

/** What buying this number would charge now and later; NotFound when it is not on the buyer's shelf. */
export async function quotePurchase(db: Db, input: { buyerId: number; productId: number; now: Date }): Promise<PurchaseQuote> {
  const buyer = await findAccountById(db, input.buyerId);
  if (!buyer) throw new NotFoundError('Account not found');
  const { seller, shelf } = await sellerOf(db, buyer);
  const product = (await whereOnShelf(db('products').where('products.id', input.productId), shelf).first()) as DidRow | undefined;
  if (!product) throw new NotFoundError(NOT_FOR_SALE_MESSAGE);
  const terms = await sellTerms(db, shelf, product);
  if (!terms) throw new NotFoundError(NOT_FOR_SALE_MESSAGE);
  const total = new Money(terms.setup_fee).plus(terms.monthly_fee);
  const fundsBefore = availableFunds(buyer, await reservedForCalls(db, buyer.id, input.now));
  const fundsAfter = new Money(fundsBefore).minus(total);
  return {
    buyer,
    seller,
    product,
    terms,
    setupFee: terms.setup_fee,
    firstPeriod: terms.monthly_fee,
    total: toStored(total),
    nextBillingAt: nextBillingAt(input.now, product.billing_type, product.billing_days),
    fundsBefore,
    fundsAfter: toStored(fundsAfter),
    enough: total.isZero() || !fundsAfter.isNegative(),
  };
}

async function purchaseEntries(db: Db, subscription: SubscriptionRow): Promise<LedgerEntryRow[]> {
  return db<LedgerEntryRow>('ledger_entries')
    .where({ account_id: subscription.account_id, reference_type: 'subscription', reference_id: subscription.id })
    .where('idempotency_key', 'like', 'purchase:%')
    .orderBy('id');
}

async function replay(db: Db, subscription: SubscriptionRow, productId: number): Promise<PurchaseResult> {
  if (subscription.product_id !== productId) {
    throw new ConflictError('This purchase form was already used for another number. Reload the page and try again.');
  }
  const product = await findDid(db, productId);
  if (!product) throw new NotFoundError(NOT_FOR_SALE_MESSAGE);
  return { subscription, product, entries: await purchaseEntries(db, subscription), replayed: true };
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

function describePeriod(product: DidRow): string {
  if (product.billing_type === 'one_time') {
    return product.billing_days === 0 ? 'one-time fee' : `one-time fee (${product.billing_days} days)`;
  }
  return `first period (${product.billing_days} days)`;
}

export async function purchaseDid(db: Knex, input: PurchaseInput): Promise<PurchaseResult> {
  const { buyerId, productId, now, actorId } = input;
  const key = input.idempotencyKey.trim();
  if (!isPurchaseKey(key)) throw new ValidationError('This purchase form is incomplete. Reload the page and try again.');
  const chargeBuyer = input.chargeBuyer ?? true;
  const pricing = input.pricing ?? DEFAULT_PRICING;

  try {
    return await db.transaction(async (trx) => {
      // The buyer's row is locked first: giving it the number takes a key-share lock on it (the
      // foreign key), so locking it only afterwards would deadlock two purchases of one buyer.
      const buyer = await lockAccount(trx, buyerId);
      if (!buyer) throw new NotFoundError('Account not found');
      if (buyer.status !== 'active') throw new ConflictError(`The account ${buyer.name} is ${buyer.status} and cannot buy numbers.`);
      const earlier = await findSubscriptionByPurchaseKey(trx, buyer.id, key);
      if (earlier) return replay(trx, earlier, productId);

      const { seller, shelf } = await sellerOf(trx, buyer);
      if (seller.status !== 'active') throw new ConflictError(`${seller.name} is not selling numbers at the moment; nothing was charged.`);
      const holder =
        buyer.role === 'reseller'
          ? { reseller_id: buyer.id, customer_id: null }
          : { reseller_id: shelf.kind === 'reseller' ? shelf.resellerId : null, customer_id: buyer.id };
      const product = await takeFromShelf(trx, productId, shelf, holder, now);
      if (!product) {
        // The same form sent twice at once: the other request bought it and has committed.
        const concurrent = await findSubscriptionByPurchaseKey(trx, buyer.id, key);
        if (concurrent) return replay(trx, concurrent, productId);
        throw await unavailable(trx, productId, shelf);
      }
      const terms = await sellTerms(trx, shelf, product);
      if (!terms) throw new NotFoundError(NOT_FOR_SALE_MESSAGE);

      const setup = new Money(terms.setup_fee);
      const period = new Money(terms.monthly_fee);
      const total = setup.plus(period);
      if (chargeBuyer && !total.isZero()) {
        // Money reserved for the buyer's calls in progress is not spent here (locked until commit).
        const reserved = (await lockReservedForCalls(trx, [buyer.id], now)).get(buyer.id)!;
        const funds = new Money(availableFunds(buyer, reserved));
        if (funds.lessThan(total)) {
          const plain = (amount: Money) => toPlain(amount, pricing.decimals);
          throw new InsufficientFundsError(
            `Available funds ${plain(funds)} do not cover ${plain(total)} (setup ${plain(setup)} + first period ${plain(period)}); nothing was charged.`,
          );
        }
      }

      const subscription = await insertSubscription(trx, {
        product_id: product.id,
        account_id: buyer.id,
        seller_id: seller.id,
        billing_type: product.billing_type,
        billing_days: product.billing_days,
        setup_fee: terms.setup_fee,
        price: terms.monthly_fee,
        started_at: now,
        next_billing_at: nextBillingAt(now, product.billing_type, product.billing_days),
        purchase_key: key,
      });

      const entries: LedgerEntryRow[] = [];
      const charge = async (amount: Money, kind: 'setup_fee' | 'recurring_fee', description: string) => {
        if (!chargeBuyer || amount.isZero()) return;
        const { entry } = await postLedgerEntry(trx, {
          accountId: buyer.id,
          amount: toStored(amount.negated()),
          kind,
          description,
          idempotencyKey: `purchase:${buyer.id}:${key}:${kind}`,
          referenceType: 'subscription',
          referenceId: subscription.id,
          createdBy: actorId,
          now,
        });
        entries.push(entry);
      };
      await charge(setup, 'setup_fee', `Setup fee for ${product.number}`);
      await charge(period, 'recurring_fee', `${describePeriod(product).replace(/^./, (c) => c.toUpperCase())} for ${product.number}`);

      // A reseller's sell terms start at the default markup over what it pays; it can change them.
      if (buyer.role === 'reseller') {
        await upsertResellerPrice(trx, buyer.id, product.id, applyMarkup(pickTerms(product), pricing.markupPercent, pricing.decimals), now);
      }
      await insertAuditEntry(trx, {
        actorId,
        action: chargeBuyer ? 'did.purchase' : 'did.assign',
        entityType: 'product',
        entityId: product.id,
        before: { reseller_id: shelf.kind === 'reseller' ? shelf.resellerId : null, customer_id: null },
        after: { reseller_id: product.reseller_id, customer_id: product.customer_id, subscription_id: subscription.id, charged: entries.map((e) => e.amount) },
        at: now,
      });
      return { subscription, product, entries, replayed: false };
    });
  } catch (error) {
    // Two submissions of one form raced past the first look-up: the loser finds the winner's purchase.
    if (isUniqueViolation(error, 'subscriptions_purchase_key_unique') || isUniqueViolation(error, 'ledger_entries_idempotency_key_unique')) {
      const earlier = await findSubscriptionByPurchaseKey(db, buyerId, key);
      if (earlier) return replay(db, earlier, productId);
    }
    throw error;
  }
}

export interface ReleaseResult {
  product: DidRow;
  endedSubscriptionIds: number[];
}

/** The holder gives the number back to its seller, with no refund. A reseller cannot release a number a customer owns. */
export async function releaseDid(
  db: Knex,
  input: { accountId: number; productId: number; now: Date; actorId: number },
): Promise<ReleaseResult> {
  const { accountId, productId, now, actorId } = input;
  return db.transaction(async (trx) => {
    const account = await findAccountById(trx, accountId);
    if (!account || account.role === 'admin') throw new NotFoundError('Number not found');
    let product: DidRow | undefined;
    if (account.role === 'reseller') {
      product = await returnFromReseller(trx, productId, accountId, now);
      if (!product) {
        const current = await findDid(trx, productId);
        if (current && current.reseller_id === accountId && current.customer_id !== null) {
          throw new ConflictError(`A customer owns ${current.number}: it can be released only once the customer gives it up.`);
        }
        throw new NotFoundError('Number not found');
      }
      await deleteResellerPrices(trx, productId, accountId);
    } else {
      product = await returnFromCustomer(trx, productId, accountId, now);
      if (!product) throw new NotFoundError('Number not found');
    }
    const endedSubscriptionIds = await endLiveSubscriptions(trx, productId, { accountId, reason: 'released', now });
    await insertAuditEntry(trx, {
      actorId,
      action: 'did.release',
      entityType: 'product',
      entityId: productId,
      before: { holder_id: accountId },
      after: { reseller_id: product.reseller_id, customer_id: product.customer_id, ended_subscriptions: endedSubscriptionIds },
      at: now,
    });
    return { product, endedSubscriptionIds };
  });
}

/** The admin takes a number back into stock, ending every live subscription on it (no refund). */
export async function reclaimDid(db: Knex, input: { productId: number; now: Date; actorId: number }): Promise<ReleaseResult> {
  const { productId, now, actorId } = input;
  return db.transaction(async (trx) => {
    const before = await lockDid(trx, productId);
    if (!before) throw new NotFoundError('Number not found');
    await clearHolders(trx, productId, now);
    const endedSubscriptionIds = await endLiveSubscriptions(trx, productId, { reason: 'reclaimed', now });
    await deleteResellerPrices(trx, productId);
    await insertAuditEntry(trx, {
      actorId,
      action: 'did.reclaim',
      entityType: 'product',
      entityId: productId,
      before: { reseller_id: before.reseller_id, customer_id: before.customer_id, destination: before.destination },
      after: { reseller_id: null, customer_id: null, ended_subscriptions: endedSubscriptionIds },
      at: now,
    });
    const product = (await findDid(trx, productId))!;
    return { product, endedSubscriptionIds };
  });
}
