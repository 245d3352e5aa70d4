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
//
// This file claims the batches and retries them; renewal-batch.ts charges and records one batch,
// renewal-release.ts gives back the numbers that ended.
import type { Logger } from '../logger.ts';
import type { Db } from '../db/knex.ts';
import {
  addRunCounts,
  deleteBillingRun,
  finishBillingRun,
  insertBillingRun,
  type BillingRunRow,
  type BillingTrigger,
  type RunCounts,
} from '../db/repos/billing-runs.ts';
import { claimDueSubscriptions, type Cursor } from '../db/repos/renewal-claims.ts';
import { inTransaction } from '../db/transaction.ts';
import { Money } from '../domain/money.ts';
import { emptyCounts, processBatch, type BatchResult, type BillingEventReport } from './renewal-batch.ts';

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

export interface BillingRunSummary extends RunCounts {
  run: BillingRunRow | undefined;
  /** Subscriptions looked at (claimed) by this run. */
  examined: number;
  durationMs: number;
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
