// Billing runs and the renewal history of subscriptions (subscription_events).
import type { Knex } from 'knex';
import type { Db } from '../knex.ts';

export type BillingTrigger = 'schedule' | 'command' | 'payment';
export type SubscriptionEventKind = 'renewed' | 'suspended' | 'reactivated' | 'released' | 'expired';

export interface BillingRunRow {
  id: number;
  trigger: BillingTrigger;
  clock_at: Date;
  started_at: Date;
  finished_at: Date | null;
  status: 'running' | 'finished' | 'failed';
  renewed_count: number;
  renewed_total: string;
  reactivated_count: number;
  suspended_count: number;
  suspended_total: string;
  released_count: number;
  expired_count: number;
  failed_count: number;
  error: string | null;
}

export interface RunCounts {
  renewed: number;
  renewedTotal: string;
  reactivated: number;
  suspended: number;
  suspendedTotal: string;
  released: number;
  expired: number;
  failed: number;
}

export interface NewSubscriptionEvent {
  subscription_id: number;
  billing_run_id: number | null;
  kind: SubscriptionEventKind;
  period_start: Date | null;
  period_end: Date | null;
  amount: string | null;
  ledger_entry_id: number | null;
  note: string | null;
  created_at: Date;
}

export interface SubscriptionEventRow extends NewSubscriptionEvent {
  id: number;
}

export async function insertBillingRun(db: Db, run: { trigger: BillingTrigger; clockAt: Date; startedAt: Date }): Promise<BillingRunRow> {
  const [row] = (await db('billing_runs')
    .insert({ trigger: run.trigger, clock_at: run.clockAt, started_at: run.startedAt })
    .returning('*')) as BillingRunRow[];
  return row!;
}

/** Adds a batch's counts to its run, in the batch's transaction. */
export async function addRunCounts(db: Db, runId: number, counts: RunCounts): Promise<void> {
  await db('billing_runs')
    .where({ id: runId })
    .update({
      renewed_count: db.raw('renewed_count + ?', [counts.renewed]),
      renewed_total: db.raw('renewed_total + ?::numeric', [counts.renewedTotal]),
      reactivated_count: db.raw('reactivated_count + ?', [counts.reactivated]),
      suspended_count: db.raw('suspended_count + ?', [counts.suspended]),
      suspended_total: db.raw('suspended_total + ?::numeric', [counts.suspendedTotal]),
      released_count: db.raw('released_count + ?', [counts.released]),
      expired_count: db.raw('expired_count + ?', [counts.expired]),
      failed_count: db.raw('failed_count + ?', [counts.failed]),
    });
}

export async function finishBillingRun(
  db: Db,
  runId: number,
  outcome: { status: 'finished' | 'failed'; finishedAt: Date; error?: string | null },
): Promise<BillingRunRow> {
  const [row] = (await db('billing_runs')
    .where({ id: runId })
    .update({ status: outcome.status, finished_at: outcome.finishedAt, error: outcome.error ?? null })
    .returning('*')) as BillingRunRow[];
  return row!;
}

export async function deleteBillingRun(db: Db, runId: number): Promise<void> {
  await db('billing_runs').where({ id: runId }).delete();
}

export async function findBillingRun(db: Db, id: number): Promise<BillingRunRow | undefined> {
  return db<BillingRunRow>('billing_runs').where({ id }).first();
}

export interface RunFilters {
  trigger?: BillingTrigger | undefined;
  status?: BillingRunRow['status'] | undefined;
  /** Only runs that did something (renewed, suspended, released, expired or failed). */
  active?: boolean | undefined;
}

function filteredRuns(db: Db, filters: RunFilters) {
  const query = db('billing_runs');
  if (filters.trigger) query.where('trigger', filters.trigger);
  if (filters.status) query.where('status', filters.status);
  if (filters.active) {
    query.where((q) => {
      q.where('renewed_count', '>', 0).orWhere('suspended_count', '>', 0).orWhere('released_count', '>', 0)
        .orWhere('expired_count', '>', 0).orWhere('failed_count', '>', 0);
    });
  }
  return query;
}

export async function listBillingRuns(db: Db, filters: RunFilters, window: { limit: number; offset: number }): Promise<{ rows: BillingRunRow[]; total: number }> {
  const [rows, total] = await Promise.all([
    filteredRuns(db, filters).orderBy([{ column: 'started_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(window.limit).offset(window.offset) as Promise<BillingRunRow[]>,
    filteredRuns(db, filters).count({ count: '*' }).first() as Promise<{ count: string | number } | undefined>,
  ]);
  return { rows, total: Number(total?.count ?? 0) };
}

/** Many events in one statement, its columns given as arrays. */
export async function insertSubscriptionEvents(db: Db, events: NewSubscriptionEvent[]): Promise<void> {
  if (events.length === 0) return;
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  await db.raw(
    `INSERT INTO subscription_events (subscription_id, billing_run_id, kind, period_start, period_end, amount, ledger_entry_id, note, created_at)
     SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::numeric[], ?::bigint[], ?::text[], ?::timestamptz[])`,
    [
      events.map((e) => e.subscription_id), events.map((e) => e.billing_run_id), events.map((e) => e.kind),
      events.map((e) => iso(e.period_start)), events.map((e) => iso(e.period_end)), events.map((e) => e.amount),
      events.map((e) => e.ledger_entry_id), events.map((e) => e.note), events.map((e) => iso(e.created_at)),
    ] as unknown as Knex.RawBinding[],
  );
}

export interface RunEventRow extends SubscriptionEventRow {
  number: string;
  product_id: number;
  account_id: number;
  account_name: string;
  account_role: 'reseller' | 'customer';
}

export async function listRunEvents(
  db: Db,
  runId: number,
  filters: { kind?: SubscriptionEventKind | undefined },
  window: { limit: number; offset: number },
): Promise<{ rows: RunEventRow[]; total: number }> {
  const base = () => {
    const query = db('subscription_events as e').where('e.billing_run_id', runId);
    if (filters.kind) query.where('e.kind', filters.kind);
    return query;
  };
  const [rows, total] = await Promise.all([
    base()
      .join('subscriptions as s', 's.id', 'e.subscription_id')
      .join('products as p', 'p.id', 's.product_id')
      .join('accounts as a', 'a.id', 's.account_id')
      .orderBy('e.id')
      .limit(window.limit)
      .offset(window.offset)
      .select('e.*', 'p.number', 's.product_id', 's.account_id', 'a.name as account_name', 'a.role as account_role') as Promise<RunEventRow[]>,
    base().count({ count: '*' }).first() as Promise<{ count: string | number } | undefined>,
  ]);
  return { rows, total: Number(total?.count ?? 0) };
}

export async function listSubscriptionEvents(db: Db, subscriptionId: number): Promise<SubscriptionEventRow[]> {
  return db<SubscriptionEventRow>('subscription_events').where({ subscription_id: subscriptionId }).orderBy('id');
}
