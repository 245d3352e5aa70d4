// Buying and assigning numbers: the quote a buyer sees, the purchase, and the admin's assign. Each
// is one transaction made of the acquisition steps (acquisition.ts), and the buyer's funds are
// checked under its row lock.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { findAccountById, type AccountRow } from '../db/repos/accounts.ts';
import { findOnShelf } from '../db/repos/did-holdings.ts';
import type { DidRow } from '../db/repos/dids.ts';
import type { TermStart } from '../domain/billing-calendar.ts';
import { Money, toStored } from '../domain/money.ts';
import type { PriceTerms } from '../domain/sell-terms.ts';
import { NotFoundError } from '../errors.ts';
import {
  NOT_FOR_SALE_MESSAGE,
  chargeFirstPeriod,
  firstPeriodOf,
  purchaseKeyOf,
  recordAcquisition,
  replayingRaces,
  requireFunds,
  sellTerms,
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
}

/** What buying this number would charge now and later; NotFound when it is not on the buyer's shelf. */
export async function quotePurchase(
  db: Db,
  input: { buyerId: number; productId: number; now: Date; pricing?: Pick<PricingSettings, 'decimals' | 'prorateFirstPeriod'> | undefined },
): Promise<PurchaseQuote> {
  const buyer = await findAccountById(db, input.buyerId);
  if (!buyer) throw new NotFoundError('Account not found');
  const { seller, shelf } = await sellerOf(db, buyer);
  const product = await findOnShelf(db, input.productId, shelf);
  if (!product) throw new NotFoundError(NOT_FOR_SALE_MESSAGE);
  const terms = await sellTerms(db, shelf, product);
  if (!terms) throw new NotFoundError(NOT_FOR_SALE_MESSAGE);
  if (product.billing_period === 'month' && !input.pricing) throw new Error('a calendar-month quote needs the pricing settings');
  const first = firstPeriodOf({ buyer, product, terms }, input.now, input.pricing ?? { decimals: 6 });
  const total = new Money(terms.setup_fee).plus(first.amount);
  const fundsBefore = availableFunds(buyer, await reservedForCalls(db, buyer.id, input.now));
  const fundsAfter = new Money(fundsBefore).minus(total);
  return {
    buyer,
    seller,
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
