// What the billing run does with a number whose subscription ended unpaid or expired: it goes
// back to its seller (README: "Billing"), and a reseller's loss takes it from its customer too.
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import type { NewSubscriptionEvent } from '../db/repos/billing-runs.ts';
import { clearHolders, endLiveSubscriptions, lockDid, returnFromCustomer } from '../db/repos/did-holdings.ts';
import type { ClaimedRow } from '../db/repos/renewal-claims.ts';
import { deleteResellerPrices } from '../db/repos/reseller-prices.ts';
import type { Transaction } from '../db/transaction.ts';
import type { BillingEventReport } from './renewal-batch.ts';
import { recordEvent } from './events.ts';

/** Gives the number back to the seller of an ended subscription (README: "Billing"). */
export async function releaseNumber(
  trx: Transaction,
  row: ClaimedRow,
  why: 'unpaid' | 'expired',
  context: { now: Date; runId: number | null; events: NewSubscriptionEvent[]; reports: BillingEventReport[] },
): Promise<void> {
  const { now } = context;
  if (row.account_role === 'customer') {
    // To its reseller's unassigned numbers, or to the admin's stock for a direct customer.
    await returnFromCustomer(trx, row.product_id, row.account_id, now);
  } else {
    // A reseller that loses a number takes it from its customer too: the customer bought it from
    // the reseller, which no longer has it to sell. The customer's subscription ends, saying why.
    const product = await lockDid(trx, row.product_id);
    if (product && product.reseller_id === row.account_id) {
      if (product.customer_id !== null) {
        const reason = why === 'unpaid' ? 'seller_unpaid' : 'seller_expired';
        const ended = await endLiveSubscriptions(trx, row.product_id, { accountId: product.customer_id, reason, now });
        const note = why === 'unpaid'
          ? `Ended: the reseller's own subscription to ${row.number} was not paid, so the number went back to the operator`
          : `Ended: the reseller's one-time term on ${row.number} is over, so the number went back to the operator`;
        for (const subscriptionId of ended) {
          context.events.push({
            subscription_id: subscriptionId, billing_run_id: context.runId, kind: 'released', period_start: null, period_end: null,
            amount: null, ledger_entry_id: null, note, created_at: now,
          });
        }
        if (ended.length > 0) {
          await recordEvent(trx, {
            type: 'number.released', accountId: product.customer_id, occurredAt: now,
            data: { number: row.number, product_id: row.product_id, reason: why === 'unpaid' ? 'seller_unpaid' : 'seller_expired', note },
          });
        }
      }
      await clearHolders(trx, row.product_id, now);
      await deleteResellerPrices(trx, row.product_id, row.account_id);
    }
  }
  await insertAuditEntry(trx, {
    actorId: null,
    action: why === 'unpaid' ? 'did.release_unpaid' : 'did.expire',
    entityType: 'product',
    entityId: row.product_id,
    before: { holder_id: row.account_id, subscription_id: row.id },
    after: { billing_run_id: context.runId },
    at: now,
  });
}
