// Buying and assigning numbers: the quote a buyer sees, the purchase, and the admin's assign. Each
// is one transaction made of the acquisition steps (acquisition.ts), and the buyer's funds are
// checked under its row lock.
import { findSellerName } from '../db/repos/company-profiles.ts';
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { findAccountById, type AccountRow } from '../db/repos/accounts.ts';
import { findOnShelf } from '../db/repos/did-holdings.ts';
import type { DidRow } from '../db/repos/dids.ts';
import type { TermStart } from '../domain/billing-calendar.ts';
import { Money, sumMoney, toStored } from '../domain/money.ts';
import type { PriceTerms } from '../domain/sell-terms.ts';
import { ConflictError, NotFoundError, isUniqueViolation } from '../errors.ts';
import {
  NOT_FOR_SALE_MESSAGE,
  buyerTerms,
  chargeFirstPeriod,
  firstPeriodOf,
  purchaseKeyOf,
  recordAcquisition,
  replayingRaces,
  requireFunds,
  requireFundsForAll,
  sellerOf,
  subscribe,
  takeForBuyer,
  type PricingSettings,
  type PurchaseResult,
} from './acquisition.ts';
import { availableFunds, reservedForCalls } from './ledger.ts';

export interface PurchaseInput {
  buyerId: number;
  productId: number;
  /** The random key of the purchase form: the same key never buys twice. */
  idempotencyKey: string;
  now: Date;
  actorId: number;
  pricing: PricingSettings;
}

export interface PurchaseQuote {
  buyer: AccountRow;
  seller: AccountRow;
  /** What the buyer sees of the seller: its company's legal name, else its account name. */
  sellerName: string;
  product: DidRow;
  /** What the buyer pays: setup, period price and the per-minute terms of its calls. */
  terms: PriceTerms;
  setupFee: string;
  /** What the first period costs now: the price, or a calendar month's prorated part. */
  firstPeriod: string;
  /** Calendar month: the days charged of the first period's days. */
  proration: TermStart['proration'];
  total: string;
  /** Recurring: when the next period is charged; one-time: when the number is released (null: never). */
  nextBillingAt: Date | null;
  fundsBefore: string;
  fundsAfter: string;
  enough: boolean;
  /** What is missing to buy it (0 when enough). */
  shortBy: string;
}

/** What buying this number would charge now and later; NotFound when it is not on the buyer's shelf. */
export async function quotePurchase(
  db: Db,
  input: { buyerId: number; productId: number; now: Date; pricing?: Pick<PricingSettings, 'decimals' | 'prorateFirstPeriod'> | undefined },
): Promise<PurchaseQuote> {
  const buyer = await findAccountById(db, input.buyerId);
  if (!buyer) throw new NotFoundError('Account not found');
  const { seller, shelf } = await sellerOf(db, buyer);
  const product = await findOnShelf(db, input.productId, shelf, { accountId: buyer.id, now: input.now });
  if (!product) throw new NotFoundError(NOT_FOR_SALE_MESSAGE);
  const terms = await buyerTerms(db, shelf, product, buyer.id, input.now);
  if (!terms) throw new NotFoundError(NOT_FOR_SALE_MESSAGE);
  if (product.billing_period === 'month' && !input.pricing) throw new Error('a calendar-month quote needs the pricing settings');
  const first = firstPeriodOf({ buyer, product, terms }, input.now, input.pricing ?? { decimals: 6 });
  const total = new Money(terms.setup_fee).plus(first.amount);
  const fundsBefore = availableFunds(buyer, await reservedForCalls(db, buyer.id, input.now));
  const fundsAfter = new Money(fundsBefore).minus(total);
  return {
    buyer,
    seller,
    sellerName: await findSellerName(db, seller),
    product,
    terms,
    setupFee: terms.setup_fee,
    firstPeriod: first.amount,
    proration: first.proration,
    total: toStored(total),
    nextBillingAt: first.nextBillingAt,
    fundsBefore,
    fundsAfter: toStored(fundsAfter),
    enough: total.isZero() || !fundsAfter.isNegative(),
    shortBy: toStored(fundsAfter.isNegative() ? fundsAfter.negated() : 0),
  };
}

/** A reseller or customer buys a number from its seller: funds checked, setup fee and first period charged. */
export async function purchaseDid(db: Db, input: PurchaseInput): Promise<PurchaseResult> {
  const { buyerId, productId, now, actorId } = input;
  const key = purchaseKeyOf(input.idempotencyKey);
  const { pricing } = input;
  return replayingRaces(db, buyerId, productId, key, () =>
    inTransaction(db, async (trx) => {
      const taken = await takeForBuyer(trx, buyerId, productId, key, now);
      if (taken.kind === 'replayed') return taken.result;
      await requireFunds(trx, taken, pricing.decimals, now, pricing.prorateFirstPeriod);
      const subscription = await subscribe(trx, taken, key, now);
      const entries = await chargeFirstPeriod(trx, taken, subscription, { key, actorId, now, pricing });
      await recordAcquisition(trx, taken, subscription, entries, { action: 'did.purchase', actorId, now, pricing });
      return { subscription, product: taken.product, entries, replayed: false };
    }),
  );
}

export interface AssignInput {
  /** The reseller or direct customer that gets the number from the admin's stock. */
  accountId: number;
  productId: number;
  /** The random key of the assign form: the same key never assigns twice. */
  idempotencyKey: string;
  /** Charge the account the setup fee and first period, as a purchase would; or give it for free. */
  charge: boolean;
  now: Date;
  actorId: number;
  pricing: PricingSettings;
}

/**
 * The admin gives a number to an account. Charged, it is a purchase made for the account (and
 * audited as one); free, the subscription still keeps the price its renewals will charge.
 */
export async function assignDid(db: Db, input: AssignInput): Promise<PurchaseResult> {
  const { accountId, productId, now, actorId } = input;
  const key = purchaseKeyOf(input.idempotencyKey);
  const { pricing } = input;
  return replayingRaces(db, accountId, productId, key, () =>
    inTransaction(db, async (trx) => {
      const taken = await takeForBuyer(trx, accountId, productId, key, now);
      if (taken.kind === 'replayed') return taken.result;
      if (input.charge) await requireFunds(trx, taken, pricing.decimals, now, pricing.prorateFirstPeriod);
      const subscription = await subscribe(trx, taken, key, now);
      const entries = input.charge ? await chargeFirstPeriod(trx, taken, subscription, { key, actorId, now, pricing }) : [];
      await recordAcquisition(trx, taken, subscription, entries, { action: input.charge ? 'did.purchase' : 'did.assign', actorId, now, pricing });
      return { subscription, product: taken.product, entries, replayed: false };
    }),
  );
}

export interface MultiQuote {
  buyer: AccountRow;
  seller: AccountRow;
  /** What the buyer sees of the seller: its company's legal name, else its account name. */
  sellerName: string;
  /** Each number's setup fee, first period (a calendar month's prorated part) and their total, as its own purchase would charge. */
  lines: Array<{ product: DidRow; terms: PriceTerms; firstPeriod: string; proration: TermStart['proration']; total: string; nextBillingAt: Date | null }>;
  setupFees: string;
  firstPeriods: string;
  total: string;
  fundsBefore: string;
  fundsAfter: string;
  enough: boolean;
  shortBy: string;
}

/** What buying several numbers at once would charge now; NotFound names the first that is not on the buyer's shelf. */
export async function quotePurchases(
  db: Db,
  input: { buyerId: number; productIds: number[]; now: Date; pricing?: Pick<PricingSettings, 'decimals' | 'prorateFirstPeriod'> | undefined },
): Promise<MultiQuote> {
  const buyer = await findAccountById(db, input.buyerId);
  if (!buyer) throw new NotFoundError('Account not found');
  const { seller, shelf } = await sellerOf(db, buyer);
  const lines: MultiQuote['lines'] = [];
  for (const productId of [...new Set(input.productIds)]) {
    const product = await findOnShelf(db, productId, shelf, { accountId: buyer.id, now: input.now });
    const terms = product ? await buyerTerms(db, shelf, product, buyer.id, input.now) : undefined;
    if (!product || !terms) throw new NotFoundError('One of the ticked numbers is no longer for sale; nothing was charged.');
    if (product.billing_period === 'month' && !input.pricing) throw new Error('a calendar-month quote needs the pricing settings');
    const first = firstPeriodOf({ buyer, product, terms }, input.now, input.pricing ?? { decimals: 6 });
    const total = toStored(new Money(terms.setup_fee).plus(first.amount));
    lines.push({ product, terms, firstPeriod: first.amount, proration: first.proration, total, nextBillingAt: first.nextBillingAt });
  }
  const setupFees = sumMoney(lines.map((line) => line.terms.setup_fee));
  const firstPeriods = sumMoney(lines.map((line) => line.firstPeriod));
  const total = setupFees.plus(firstPeriods);
  const fundsBefore = availableFunds(buyer, await reservedForCalls(db, buyer.id, input.now));
  const fundsAfter = new Money(fundsBefore).minus(total);
  return {
    buyer,
    seller,
    sellerName: await findSellerName(db, seller),
    lines,
    setupFees: toStored(setupFees),
    firstPeriods: toStored(firstPeriods),
    total: toStored(total),
    fundsBefore,
    fundsAfter: toStored(fundsAfter),
    enough: total.isZero() || !fundsAfter.isNegative(),
    shortBy: toStored(fundsAfter.isNegative() ? fundsAfter.negated() : 0),
  };
}

export interface MultiPurchaseInput extends Omit<PurchaseInput, 'productId'> {
  productIds: number[];
}

/** Each number's own purchase key: the form's key and the product id, so each subscription replays alone too. */
function lineKey(key: string, productId: number): string {
  return purchaseKeyOf(`${key.slice(0, 80)}-${productId}`);
}

/**
 * Several numbers bought in one confirmation: all or none, in ONE transaction, the funds checked
 * once for the whole total. The same form key never buys twice: sent again, it returns the first
 * purchases and charges nothing.
 */
export async function purchaseDids(db: Db, input: MultiPurchaseInput): Promise<{ results: PurchaseResult[]; replayed: boolean }> {
  const { buyerId, now, actorId, pricing } = input;
  const key = purchaseKeyOf(input.idempotencyKey);
  const productIds = [...new Set(input.productIds)].sort((a, b) => a - b);
  if (productIds.length === 0) throw new NotFoundError('Tick at least one number.');
  const work = () =>
    inTransaction(db, async (trx) => {
      const taken = [];
      const replays: PurchaseResult[] = [];
      for (const productId of productIds) {
        const one = await takeForBuyer(trx, buyerId, productId, lineKey(key, productId), now);
        if (one.kind === 'replayed') replays.push(one.result);
        else taken.push(one);
      }
      if (replays.length > 0 && taken.length > 0) throw new ConflictError('This purchase form was already used for other numbers. Reload the page and try again.');
      if (replays.length > 0) return { results: replays, replayed: true };
      await requireFundsForAll(trx, taken[0]!.buyer, taken, pricing.decimals, now, pricing.prorateFirstPeriod);
      const results: PurchaseResult[] = [];
      for (const one of taken) {
        const lineKeyText = lineKey(key, one.product.id);
        const subscription = await subscribe(trx, one, lineKeyText, now);
        const entries = await chargeFirstPeriod(trx, one, subscription, { key: lineKeyText, actorId, now, pricing });
        await recordAcquisition(trx, one, subscription, entries, { action: 'did.purchase', actorId, now, pricing });
        results.push({ subscription, product: one.product, entries, replayed: false });
      }
      return { results, replayed: false };
    });
  try {
    return await work();
  } catch (error) {
    // The same form sent twice at once: the loser finds the winner's purchases.
    if (isUniqueViolation(error, 'subscriptions_purchase_key_unique') || isUniqueViolation(error, 'ledger_entries_idempotency_key_unique')) return work();
    throw error;
  }
}
