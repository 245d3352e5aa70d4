// The billing run: renews every subscription that is due, suspends what the funds do not cover,
// releases what stayed unpaid past the grace period, and ends one-time subscriptions whose days
// have passed (BILLING.md "Who pays for a DID"; the decisions are src/domain/renewal.ts).
//
// Exactly once, whatever the number of runs, restarts or concurrent runners:
// - due rows are claimed in batches with FOR UPDATE SKIP LOCKED, so two runners never hold the
//   same subscription, and a claimed row is read as last committed (it is still due, or it is not
//   returned at all);
// - the subscription's next date moves on in the same transaction as its charge;
// - each charge's ledger key is `renewal:<subscription id>:<period start>`, unique in the ledger:
//   a period that was charged can never be charged again, even after a crash.
//
// A batch is one transaction with set-based writes (its charges through the ledger writer's batch:
// lock the accounts, write each ledger row with the balance after it, set the balance), so a run
// renews thousands of subscriptions a second. Accounts are locked in id order, so concurrent runners
// never deadlock each other; a deadlock with another kind of transaction retries the batch, and a
// batch that fails otherwise is redone one subscription at a time, so one bad row fails alone.
import type { Logger } from '../logger.ts';
import type { Db } from '../db/knex.ts';
import { postLedgerBatch, type BatchPosting } from '../db/ledger-writer.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import {
  addRunCounts,
  deleteBillingRun,
  finishBillingRun,
  insertBillingRun,
  insertSubscriptionEvents,
  type BillingRunRow,
  type BillingTrigger,
  type NewSubscriptionEvent,
  type RunCounts,
} from '../db/repos/billing-runs.ts';
import { clearHolders, endLiveSubscriptions, lockDid, returnFromCustomer } from '../db/repos/did-holdings.ts';
import {
  applySubscriptionChanges,
  claimDueSubscriptions,
  lockAccountFunds,
  type ClaimedRow,
  type Cursor,
} from '../db/repos/renewal-claims.ts';
import { deleteResellerPrices } from '../db/repos/reseller-prices.ts';
import { inTransaction, type Transaction } from '../db/transaction.ts';
import { Money, toStored } from '../domain/money.ts';
import { planRenewal, type RenewalPlan, type RenewalStep } from '../domain/renewal.ts';
import { availableFunds, lockReservedForCalls } from './ledger.ts';

export const DEFAULT_BATCH_SIZE = 500;
const MAX_BATCH_ATTEMPTS = 5;

export interface BillingRunOptions {
  now: Date;
  trigger: BillingTrigger;
  graceDays: number;
  batchSize?: number;
  /** Only this account's subscriptions (the retry after a payment). */
  accountId?: number;
  /** 'charge_only' never suspends or releases: a retry only charges what the funds now cover. */
  mode?: 'full' | 'charge_only';
  logger?: Pick<Logger, 'error' | 'warn'>;
  /** Told of each thing done, after its batch commits (the command prints them). */
  onEvent?: (event: BillingEventReport) => void;
  /** The wall clock for started/finished times; the run's own clock is `now`. */
  wallClock?: () => Date;
  /** Keep no billing_runs row when the run found nothing due (retries after payments). */
  dropIfIdle?: boolean;
}

export interface BillingEventReport {
  kind: RenewalStep['kind'] | 'failed';
  subscriptionId: number;
  accountId: number;
  accountName: string;
  number: string;
  amount: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  note: string | null;
}

export interface BillingRunSummary extends RunCounts {
  run: BillingRunRow | undefined;
  /** Subscriptions looked at (claimed) by this run. */
  examined: number;
  durationMs: number;
}

function emptyCounts(): RunCounts {
  return { renewed: 0, renewedTotal: '0', reactivated: 0, suspended: 0, suspendedTotal: '0', released: 0, expired: 0, failed: 0 };
}

function addCounts(into: RunCounts, more: RunCounts): void {
  into.renewed += more.renewed;
  into.renewedTotal = new Money(into.renewedTotal).plus(more.renewedTotal).toFixed();
  into.reactivated += more.reactivated;
  into.suspended += more.suspended;
  into.suspendedTotal = new Money(into.suspendedTotal).plus(more.suspendedTotal).toFixed();
  into.released += more.released;
  into.expired += more.expired;
  into.failed += more.failed;
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}

const day = (date: Date) => date.toISOString().slice(0, 10);

interface PlannedRow {
  row: ClaimedRow;
  plan: RenewalPlan;
}

interface BatchResult {
  counts: RunCounts;
  reports: BillingEventReport[];
  claimed: ClaimedRow[];
}

/** Gives the number back to the seller of an ended subscription (README: "Billing"). */
async function releaseNumber(
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

async function processBatch(
  trx: Transaction,
  runId: number | null,
  claimed: ClaimedRow[],
  options: { now: Date; graceDays: number; mode: 'full' | 'charge_only' },
): Promise<BatchResult> {
  const { now } = options;
  const counts = emptyCounts();
  const reports: BillingEventReport[] = [];
  const events: NewSubscriptionEvent[] = [];

  const accountIds = [...new Set(claimed.map((row) => row.account_id))].sort((a, b) => a - b);
  const accounts = await lockAccountFunds(trx, accountIds);
  // Balances as the plans go: a later renewal of one account sees the funds the earlier ones left.
  const funds = new Map(accounts.map((account) => [account.id, { ...account }]));
  // Money reserved for calls in progress is not spent on renewals (locked until commit).
  const reserved = await lockReservedForCalls(trx, accountIds, now);

  // Resellers first: a reseller's number that goes back to the operator is taken from its
  // customer too, and that customer must not be charged for it in the same batch.
  const ordered = [...claimed].sort((a, b) => (a.account_role === b.account_role ? 0 : a.account_role === 'reseller' ? -1 : 1));
  const leavingResellers = new Set<number>();
  const planned: PlannedRow[] = [];
  const postings: BatchPosting[] = [];
  for (const row of ordered) {
    if (row.account_role === 'customer' && leavingResellers.has(row.product_id)) continue;
    const account = funds.get(row.account_id)!;
    const plan = planRenewal(
      {
        status: row.status, billingType: row.billing_type, billingDays: row.billing_days, price: row.price,
        nextBillingAt: row.next_billing_at, suspendedAt: row.suspended_at,
      },
      availableFunds(account, reserved.get(row.account_id)),
      { now, graceDays: options.graceDays, mode: options.mode },
    );
    planned.push({ row, plan });
    if (row.account_role === 'reseller' && plan.status === 'ended') leavingResellers.add(row.product_id);
    for (const step of plan.steps) {
      if (step.kind !== 'renewed' || new Money(step.amount).isZero()) continue;
      account.balance = toStored(new Money(account.balance).minus(step.amount));
      postings.push({
        accountId: row.account_id,
        amount: toStored(new Money(step.amount).negated()),
        kind: 'recurring_fee',
        description: `Renewal of ${row.number}, ${day(step.periodStart)} to ${day(step.periodEnd)}`,
        referenceType: 'subscription',
        referenceId: row.id,
        idempotencyKey: `renewal:${row.id}:${step.periodStart.toISOString()}`,
      });
    }
  }

  // Set-based writes: each statement takes its rows as arrays, so a batch is a handful of short
  // statements however many rows it has.
  await postLedgerBatch(trx, postings, { now, billingRunId: runId });
  const changed = planned.filter(({ plan }) => plan.steps.length > 0);
  const endReason = (plan: RenewalPlan) =>
    plan.status !== 'ended' ? null : plan.steps.some((step) => step.kind === 'expired') ? 'expired' : 'unpaid';
  await applySubscriptionChanges(
    trx,
    changed.map(({ row, plan }) => ({
      id: row.id, status: plan.status, nextBillingAt: plan.nextBillingAt, suspendedAt: plan.suspendedAt,
      endedAt: plan.status === 'ended' ? now : null, endReason: endReason(plan),
    })),
    now,
  );

  for (const { row, plan } of changed) {
    for (const step of plan.steps) {
      const base = { subscription_id: row.id, billing_run_id: runId, created_at: now, period_end: null, amount: null, ledger_entry_id: null, note: null };
      const report = (note: string | null, amount: string | null, periodEnd: Date | null = null): void => {
        reports.push({
          kind: step.kind, subscriptionId: row.id, accountId: row.account_id, accountName: row.account_name, number: row.number,
          amount, periodStart: step.periodStart, periodEnd, note,
        });
      };
      switch (step.kind) {
        case 'renewed': {
          // A charged renewal is its ledger row (with the run's id); only a free one needs an event.
          if (new Money(step.amount).isZero()) {
            events.push({ ...base, kind: 'renewed', period_start: step.periodStart, period_end: step.periodEnd, amount: toStored(step.amount) });
          }
          counts.renewed += 1;
          counts.renewedTotal = new Money(counts.renewedTotal).plus(step.amount).toFixed();
          report(null, step.amount, step.periodEnd);
          break;
        }
        case 'reactivated':
          events.push({ ...base, kind: 'reactivated', period_start: step.periodStart, note: 'The renewal was paid: calls are accepted again' });
          counts.reactivated += 1;
          report('paid: active again', null);
          break;
        case 'suspended': {
          const note = `Funds did not cover the renewal of ${step.amount}: calls are refused until it is paid`;
          events.push({ ...base, kind: 'suspended', period_start: step.periodStart, amount: toStored(step.amount), note });
          counts.suspended += 1;
          counts.suspendedTotal = new Money(counts.suspendedTotal).plus(step.amount).toFixed();
          report(note, step.amount);
          break;
        }
        case 'released': {
          const note = `Unpaid after the grace period of ${options.graceDays} days: the number went back to its seller`;
          events.push({ ...base, kind: 'released', period_start: step.periodStart, amount: toStored(step.amount), note });
          counts.released += 1;
          report(note, step.amount);
          await releaseNumber(trx, row, 'unpaid', { now, runId, events, reports });
          break;
        }
        case 'expired': {
          const note = 'One-time term over: the number went back to its seller';
          events.push({ ...base, kind: 'expired', period_start: step.periodStart, note });
          counts.expired += 1;
          report(note, null);
          await releaseNumber(trx, row, 'expired', { now, runId, events, reports });
          break;
        }
      }
    }
  }

  await insertSubscriptionEvents(trx, events);
  if (runId !== null) await addRunCounts(trx, runId, counts);
  return { counts, reports, claimed };
}

/**
 * Runs the renewal job at `now`: walks the due subscriptions in (next date, id) order, a batch
 * per transaction, each claimed row processed once per run. Several runs may go at once.
 */
export async function runBilling(db: Db, options: BillingRunOptions): Promise<BillingRunSummary> {
  const wallClock = options.wallClock ?? (() => new Date());
  const started = Date.now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const mode = options.mode ?? 'full';
  const settings = { now: options.now, graceDays: options.graceDays, mode };
  const run = await insertBillingRun(db, { trigger: options.trigger, clockAt: options.now, startedAt: wallClock() });
  const total = emptyCounts();
  let examined = 0;
  let cursor: Cursor = { at: new Date(0), id: 0 };

  const claimAndProcess = (limit: number, ids?: number[]) =>
    inTransaction(db, async (trx) => {
      const claimed = await claimDueSubscriptions(trx, { now: options.now, after: ids ? { at: new Date(0), id: 0 } : cursor, limit, accountId: options.accountId, ids });
      if (claimed.length === 0) return undefined;
      return processBatch(trx, run.id, claimed, settings);
    });

  const report = (reports: BillingEventReport[]) => {
    if (options.onEvent) for (const event of reports) options.onEvent(event);
  };

  try {
    for (;;) {
      let result: BatchResult | undefined;
      let lastError: unknown;
      for (let attempt = 1; attempt <= MAX_BATCH_ATTEMPTS; attempt += 1) {
        try {
          result = await claimAndProcess(batchSize);
          lastError = undefined;
          break;
        } catch (error) {
          lastError = error;
          if (!isRetryable(error)) break;
        }
      }
      if (lastError !== undefined) {
        // Redo the batch one subscription at a time, so only the subscription at fault fails.
        const ids = (await inTransaction(db, (trx) =>
          claimDueSubscriptions(trx, { now: options.now, after: cursor, limit: batchSize, accountId: options.accountId }),
        )).map((row) => ({ id: row.id, at: row.next_billing_at }));
        if (ids.length === 0) throw lastError;
        for (const { id } of ids) {
          try {
            const single = await claimAndProcess(1, [id]);
            if (single) {
              addCounts(total, single.counts);
              examined += 1;
              report(single.reports);
            }
          } catch (error) {
            total.failed += 1;
            examined += 1;
            options.logger?.error({ err: error, subscriptionId: id, runId: run.id }, 'renewal failed');
            await addRunCounts(db, run.id, { ...emptyCounts(), failed: 1 });
            if (options.onEvent) {
              options.onEvent({
                kind: 'failed', subscriptionId: id, accountId: 0, accountName: '', number: '', amount: null, periodStart: null,
                periodEnd: null, note: error instanceof Error ? error.message : String(error),
              });
            }
          }
        }
        const last = ids[ids.length - 1]!;
        cursor = { at: last.at, id: last.id };
        continue;
      }
      if (!result) break;
      addCounts(total, result.counts);
      examined += result.claimed.length;
      report(result.reports);
      const last = result.claimed[result.claimed.length - 1]!;
      cursor = { at: last.next_billing_at, id: last.id };
      if (result.claimed.length < batchSize) break;
    }
  } catch (error) {
    const failed = await finishBillingRun(db, run.id, { status: 'failed', finishedAt: wallClock(), error: error instanceof Error ? error.message : String(error) });
    throw Object.assign(error as object, { billingRun: failed });
  }

  const idle = total.renewed + total.suspended + total.released + total.expired + total.failed === 0;
  if (options.dropIfIdle && idle) {
    await deleteBillingRun(db, run.id);
    return { ...total, run: undefined, examined, durationMs: Date.now() - started };
  }
  const finished = await finishBillingRun(db, run.id, { status: 'finished', finishedAt: wallClock() });
  return { ...total, run: finished, examined, durationMs: Date.now() - started };
}

/**
 * After a payment or refill: at once, charge what the account's funds now cover among its due
 * subscriptions (a suspended one is reactivated). Never suspends or releases: the scheduled run does.
 */
export async function retryAccountRenewals(db: Db, accountId: number, now: Date, logger?: Pick<Logger, 'error' | 'warn'>): Promise<BillingRunSummary> {
  return runBilling(db, { now, trigger: 'payment', graceDays: 0, accountId, mode: 'charge_only', dropIfIdle: true, ...(logger ? { logger } : {}) });
}
