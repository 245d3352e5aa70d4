// Numbers going back: the holder releases one to its seller, or the admin reclaims one to stock.
// Each is one transaction that ends the live subscriptions with the change of hands; a calendar
// period's unused days are credited when CREDIT_UNUSED_DAYS_ON_RELEASE is on (release-credits.ts).
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { findAccountById } from '../db/repos/accounts.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { clearHolders, endLiveSubscriptions, findDid, lockDid, lockLiveSubscriptions, returnFromCustomer, returnFromReseller } from '../db/repos/did-holdings.ts';
import type { DidRow } from '../db/repos/dids.ts';
import type { LedgerEntryRow } from '../db/repos/ledger.ts';
import { deleteResellerPrices } from '../db/repos/reseller-prices.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { recordEvents } from './events.ts';
import { creditUnusedDays, type ReleaseCreditSettings } from './release-credits.ts';

export interface ReleaseResult {
  product: DidRow;
  endedSubscriptionIds: number[];
  /** The unused days credited (CREDIT_UNUSED_DAYS_ON_RELEASE): one positive ledger row per holder credited. */
  credits: LedgerEntryRow[];
}

/** The holder gives the number back to its seller (see `credit` for a refund). A reseller cannot release a number a customer owns. */
export async function releaseDid(
  db: Db,
  input: {
    accountId: number; productId: number; now: Date; actorId: number; credit?: ReleaseCreditSettings | undefined;
    /** Why (the event's and the ended subscription's reason): the holder's own release unless its reseller takes the number back. */
    reason?: 'released_by_holder' | 'reclaimed_by_reseller';
  },
): Promise<ReleaseResult> {
  const { accountId, productId, now, actorId } = input;
  const reason = input.reason ?? 'released_by_holder';
  return inTransaction(db, async (trx) => {
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
    const live = await lockLiveSubscriptions(trx, productId, accountId);
    const endedSubscriptionIds = await endLiveSubscriptions(trx, productId, { accountId, reason: reason === 'released_by_holder' ? 'released' : 'reclaimed', now });
    const credits = await creditUnusedDays(trx, live, { number: product.number, now, actorId, settings: input.credit });
    await insertAuditEntry(trx, {
      actorId,
      action: reason === 'released_by_holder' ? 'did.release' : 'did.unassign',
      entityType: 'product',
      entityId: productId,
      before: { holder_id: accountId },
      after: { reseller_id: product.reseller_id, customer_id: product.customer_id, ended_subscriptions: endedSubscriptionIds },
      at: now,
    });
    await recordEvents(trx, [{ type: 'number.released', accountId, occurredAt: now, data: { number: product.number, product_id: productId, reason } }]);
    return { product, endedSubscriptionIds, credits };
  });
}

/** The admin takes a number back into stock, ending every live subscription on it (see `credit` for refunds). */
export async function reclaimDid(
  db: Db,
  input: { productId: number; now: Date; actorId: number; credit?: ReleaseCreditSettings | undefined },
): Promise<ReleaseResult> {
  const { productId, now, actorId } = input;
  return inTransaction(db, async (trx) => {
    const before = await lockDid(trx, productId);
    if (!before) throw new NotFoundError('Number not found');
    await clearHolders(trx, productId, now);
    const live = await lockLiveSubscriptions(trx, productId);
    const endedSubscriptionIds = await endLiveSubscriptions(trx, productId, { reason: 'reclaimed', now });
    const credits = await creditUnusedDays(trx, live, { number: before.number, now, actorId, settings: input.credit });
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
    // Each holder loses the number: both hear of it.
    const holders = [before.customer_id, before.reseller_id].filter((id): id is number => id !== null);
    await recordEvents(
      trx,
      holders.map((holderId) => ({ type: 'number.released' as const, accountId: holderId, occurredAt: now, data: { number: before.number, product_id: productId, reason: 'reclaimed_by_operator' } })),
    );
    const product = (await findDid(trx, productId))!;
    return { product, endedSubscriptionIds, credits };
  });
}
