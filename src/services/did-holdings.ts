// What buyers and holders do with numbers besides buying them: see what is on offer, set a
// reseller's sell terms (one number, or a markup over many), set a customer's forwarding.
import { findSellerName } from '../db/repos/company-profiles.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/knex.ts';
import { findAccountById, type AccountRow } from '../db/repos/accounts.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { findDestination, setDestination } from '../db/repos/did-holdings.ts';
import { findHeldDid, findHeldDids, type HeldRow, type Window } from '../db/repos/did-listings.ts';
import { listOfferCountries, listOffers, type OfferFilters, type OfferOrder, type OfferQuery, type OfferRow } from '../db/queries/offers.ts';
import { byCountryName } from '../domain/phone-numbers.ts';
import { findResellerPrice, pickTerms, upsertResellerPrice } from '../db/repos/reseller-prices.ts';
import { validateDestination } from '../domain/destination.ts';
import { applyMarkup, type PriceTerms } from '../domain/sell-terms.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { sellerOf } from './acquisition.ts';

export interface OfferPage {
  seller: AccountRow;
  rows: OfferRow[];
  total: number;
  /** The shelf's country codes, in the order of their English names. */
  countries: string[];
}

/** The numbers this buyer may buy, at the prices it would pay (numbers another account holds left out), in the order asked (countries by name). */
export async function loadOffers(db: Db, buyerId: number, filters: OfferFilters, window: Window, now: Date, order: OfferOrder = 'number'): Promise<OfferPage> {
  const buyer = await findAccountById(db, buyerId);
  if (!buyer) throw new NotFoundError('Account not found');
  const { seller, shelf } = await sellerOf(db, buyer);
  const viewer = { accountId: buyer.id, now };
  const countries = byCountryName(await listOfferCountries(db, shelf, viewer));
  const { rows, total } = await listOffers(db, shelf, viewer, { filters, window, order, countryOrder: countries });
  // The seller is shown by its company name (its profile), not its login's name.
  return { seller: { ...seller, name: await findSellerName(db, seller) }, rows, total, countries };
}

/** One page of the API's offer search (cursor and sort in `request`). */
export async function loadOfferPage(db: Db, buyerId: number, request: OfferQuery, now: Date): Promise<OfferRow[]> {
  const buyer = await findAccountById(db, buyerId);
  if (!buyer) throw new NotFoundError('Account not found');
  return (await offerReader(db, buyer, now))(request);
}

/** Reads pages of the buyer's offer, its shelf found once (an export reads many pages). */
export async function offerReader(db: Db, buyer: AccountRow, now: Date): Promise<(request: OfferQuery) => Promise<OfferRow[]>> {
  const { shelf } = await sellerOf(db, buyer);
  return async (request) => (await listOffers(db, shelf, { accountId: buyer.id, now }, request)).rows;
}

/** Buy terms of a held number: the reseller's locked setup and price, the admin's per-minute terms. */
export function buyTermsOf(row: HeldRow): PriceTerms {
  return {
    setup_fee: row.buy_setup_fee,
    monthly_fee: row.buy_monthly_fee,
    connection_cost: row.buy_connection_cost,
    grace_seconds: row.buy_grace_seconds,
    cost_per_minute: row.buy_cost_per_minute,
    initial_increment: row.buy_initial_increment,
    increment: row.buy_increment,
  };
}

/** The held number's sell terms, or undefined when none are set. */
export function sellTermsOf(row: HeldRow): PriceTerms | undefined {
  if (row.sell_monthly_fee === null) return undefined;
  return {
    setup_fee: row.sell_setup_fee!,
    monthly_fee: row.sell_monthly_fee,
    connection_cost: row.sell_connection_cost!,
    grace_seconds: row.sell_grace_seconds!,
    cost_per_minute: row.sell_cost_per_minute!,
    initial_increment: row.sell_initial_increment!,
    increment: row.sell_increment!,
  };
}

export async function loadHeldDid(db: Db, resellerId: number, productId: number): Promise<HeldRow> {
  const row = await findHeldDid(db, resellerId, productId);
  if (!row) throw new NotFoundError('Number not found');
  return row;
}

/** The reseller's own sell terms for one number it holds; they apply to its customers' next purchases and calls. */
export async function setSellTerms(
  db: Db,
  input: { resellerId: number; productId: number; terms: PriceTerms; now: Date; actorId: number },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const held = await findHeldDid(trx, input.resellerId, input.productId);
    if (!held) throw new NotFoundError('Number not found');
    const before = await findResellerPrice(trx, input.resellerId, input.productId);
    await upsertResellerPrice(trx, input.resellerId, input.productId, input.terms, input.now);
    await insertAuditEntry(trx, {
      actorId: input.actorId,
      action: 'did.sell_terms',
      entityType: 'product',
      entityId: input.productId,
      before: before ? pickTerms(before) : null,
      after: pickTerms(input.terms),
      at: input.now,
    });
  });
}

/** Sets the sell terms of many held numbers to their buy terms plus `percent`; a number it does not hold refuses the lot. */
export async function markupHeldDids(
  db: Db,
  input: { resellerId: number; productIds: number[]; percent: string; decimals: number; now: Date; actorId: number },
): Promise<number> {
  const ids = [...new Set(input.productIds)];
  if (ids.length === 0) throw new ValidationError('Select at least one number', { ids: 'Select at least one number' });
  return inTransaction(db, async (trx) => {
    const held = await findHeldDids(trx, input.resellerId, ids);
    if (held.length !== ids.length) throw new NotFoundError('Number not found');
    for (const row of held) {
      const terms = applyMarkup(buyTermsOf(row), input.percent, input.decimals);
      await upsertResellerPrice(trx, input.resellerId, row.id, terms, input.now);
      await insertAuditEntry(trx, {
        actorId: input.actorId,
        action: 'did.sell_terms',
        entityType: 'product',
        entityId: row.id,
        before: sellTermsOf(row) ?? null,
        after: { ...terms, markup_percent: input.percent },
        at: input.now,
      });
    }
    return held.length;
  });
}

/** Where a customer's number forwards its calls; validated for its type, stored in normal form. */
export async function setForwarding(
  db: Db,
  input: { customerId: number; productId: number; type: string; destination: string; now: Date; actorId: number },
): Promise<{ type: string; destination: string }> {
  const checked = validateDestination(input.type, input.destination);
  if (!checked.ok) {
    const field = /Choose SIP URI/.test(checked.message) ? 'destination_type' : 'destination';
    throw new ValidationError(checked.message, { [field]: checked.message });
  }
  return inTransaction(db, async (trx) => {
    const before = await findDestination(trx, input.productId, input.customerId);
    const row = await setDestination(trx, input.productId, input.customerId, { destination_type: checked.type, destination: checked.destination }, input.now);
    if (!row) throw new NotFoundError('Number not found');
    await insertAuditEntry(trx, {
      actorId: input.actorId,
      action: 'did.forwarding',
      entityType: 'product',
      entityId: input.productId,
      before,
      after: { destination_type: checked.type, destination: checked.destination },
      at: input.now,
    });
    return { type: checked.type, destination: checked.destination };
  });
}
