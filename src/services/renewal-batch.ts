// One batch of the billing run, in the transaction that claimed it: plan each claimed
// subscription (src/domain/renewal.ts), charge the renewals through the ledger writer's batch,
// and record the changes, events and counts. What renewals.ts runs batch after batch.
import { postLedgerBatch, type BatchPosting } from '../db/ledger-writer.ts';
import { addRunCounts, insertSubscriptionEvents, type NewSubscriptionEvent, type RunCounts } from '../db/repos/billing-runs.ts';
import { applySubscriptionChanges, lockAccountFunds, type ClaimedRow } from '../db/repos/renewal-claims.ts';
import type { Transaction } from '../db/transaction.ts';
import { cycleOf } from '../domain/billing-calendar.ts';
import { Money, toStored } from '../domain/money.ts';
import { planRenewal, type RenewalPlan, type RenewalStep } from '../domain/renewal.ts';
import { availableFunds, lockReservedForCalls } from './ledger.ts';
import { releaseNumber } from './renewal-release.ts';
import { recordEvents } from './events.ts';
import type { DomainEvent } from '../domain/events.ts';

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

export function emptyCounts(): RunCounts {
  return { renewed: 0, renewedTotal: '0', reactivated: 0, suspended: 0, suspendedTotal: '0', released: 0, expired: 0, failed: 0 };
}

const day = (date: Date) => date.toISOString().slice(0, 10);

interface PlannedRow {
  row: ClaimedRow;
  plan: RenewalPlan;
}

export interface BatchResult {
  counts: RunCounts;
  reports: BillingEventReport[];
  claimed: ClaimedRow[];
}

export async function processBatch(
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
        nextBillingAt: row.next_billing_at, suspendedAt: row.suspended_at, cycle: cycleOf(row),
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
        period: { start: step.periodStart, end: step.periodEnd },
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
  await recordEvents(trx, reports.map((report) => toDomainEvent(report, now)));
  return { counts, reports, claimed };
}

const EVENT_TYPES: Record<RenewalStep['kind'], DomainEvent['type']> = {
  renewed: 'subscription.renewed',
  reactivated: 'number.reactivated',
  suspended: 'number.suspended',
  released: 'number.released',
  expired: 'number.released',
};

/** What the outside hears of a renewal step (mail and webhooks). */
function toDomainEvent(report: BillingEventReport, now: Date): DomainEvent {
  const kind = report.kind as RenewalStep['kind'];
  return {
    type: EVENT_TYPES[kind],
    accountId: report.accountId,
    occurredAt: now,
    data: {
      number: report.number,
      subscription_id: report.subscriptionId,
      amount: report.amount,
      period_start: report.periodStart?.toISOString() ?? null,
      period_end: report.periodEnd?.toISOString() ?? null,
      reason: kind === 'released' ? 'unpaid' : kind === 'expired' ? 'expired' : null,
      note: report.note,
    },
  };
}
