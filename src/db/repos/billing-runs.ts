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

/** The filtered runs, newest first, before the run `beforeId`: how the CSV export streams. */
export async function listBillingRunBatch(db: Db, filters: RunFilters, beforeId: number | undefined, limit: number): Promise<BillingRunRow[]> {
  const query = filteredRuns(db, filters).orderBy('id', 'desc').limit(limit);
  if (beforeId !== undefined) query.where('id', '<', beforeId);
  return query as Promise<BillingRunRow[]>;
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

// A renewal that charged something is its ledger row (key `renewal:<subscription>:<period start>`,
// with the run's id); the other things a run does are subscription_events. These read both as
// one history. The period is the one the ledger row stores (period_start/end, written since
// migration 20261202110000 by src/domain/billing-calendar.ts's rules); rows charged before it are
// derived: whole days of 24 hours, a calendar month from a billing day to the next, a year from
// one anniversary of the purchase to the next (29 February falls on 28 in common years).
const RENEWAL_START = "substring(l.idempotency_key from '^renewal:[0-9]+:(.*)$')::timestamptz";
const LEDGER_RENEWALS = `
  SELECT l.id, l.reference_id AS subscription_id, l.billing_run_id, 'renewed' AS kind,
    coalesce(l.period_start, ${RENEWAL_START}) AS period_start,
    coalesce(l.period_end, CASE ls.billing_period
      WHEN 'month' THEN ((${RENEWAL_START} AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'
      WHEN 'year' THEN ((ls.started_at AT TIME ZONE 'UTC')
        + (extract(year FROM ${RENEWAL_START} AT TIME ZONE 'UTC') - extract(year FROM ls.started_at AT TIME ZONE 'UTC') + 1) * interval '1 year') AT TIME ZONE 'UTC'
      ELSE ${RENEWAL_START} + ls.billing_days * interval '24 hours'
    END) AS period_end,
    (-l.amount)::numeric(20,6) AS amount, l.id AS ledger_entry_id, l.description AS note, l.created_at, 1 AS rank
  FROM ledger_entries l JOIN subscriptions ls ON ls.id = l.reference_id
  WHERE l.reference_type = 'subscription' AND l.idempotency_key LIKE 'renewal:%'`;
const EVENTS = `
  SELECT e.id, e.subscription_id, e.billing_run_id, e.kind, e.period_start, e.period_end, e.amount, e.ledger_entry_id, e.note, e.created_at,
    CASE e.kind WHEN 'reactivated' THEN 0 WHEN 'renewed' THEN 1 WHEN 'suspended' THEN 2 ELSE 3 END AS rank
  FROM subscription_events e WHERE true`;

export async function listRunEvents(
  db: Db,
  runId: number,
  filters: { kind?: SubscriptionEventKind | undefined },
  window: { limit: number; offset: number },
): Promise<{ rows: RunEventRow[]; total: number }> {
  const parts: string[] = [];
  const bindings: Knex.Value[] = [];
  if (!filters.kind || filters.kind === 'renewed') {
    parts.push(`${LEDGER_RENEWALS} AND l.billing_run_id = ?`);
    bindings.push(runId);
  }
  parts.push(`${EVENTS} AND e.billing_run_id = ?${filters.kind ? ' AND e.kind = ?' : ''}`);
  bindings.push(runId, ...(filters.kind ? [filters.kind] : []));
  const union = parts.join(' UNION ALL ');
  const [rows, total] = await Promise.all([
    db.raw(
      `SELECT x.*, p.number, s.product_id, s.account_id, a.name AS account_name, a.role AS account_role
       FROM (${union}) x JOIN subscriptions s ON s.id = x.subscription_id JOIN products p ON p.id = s.product_id JOIN accounts a ON a.id = s.account_id
       ORDER BY x.rank, x.subscription_id, x.period_start, x.id LIMIT ? OFFSET ?`,
      [...bindings, window.limit, window.offset],
    ) as unknown as Promise<{ rows: RunEventRow[] }>,
    db.raw(`SELECT count(*) AS count FROM (${union}) x`, bindings) as unknown as Promise<{ rows: Array<{ count: string | number }> }>,
  ]);
  return { rows: rows.rows, total: Number(total.rows[0]?.count ?? 0) };
}

/**
 * A run's history in batches, for the CSV export: keyed on (source, id), the ledger renewals
 * first and then the other events, each in id order (the page's order keys on timestamps, whose
 * microseconds a JavaScript Date would round away).
 */
export async function listRunEventBatch(
  db: Db,
  runId: number,
  filters: { kind?: SubscriptionEventKind | undefined },
  after: { src: number; id: number } | undefined,
  limit: number,
): Promise<Array<RunEventRow & { src: number }>> {
  const parts: string[] = [];
  const bindings: Knex.Value[] = [];
  if (!filters.kind || filters.kind === 'renewed') {
    parts.push(`SELECT 0 AS src, r.* FROM (${LEDGER_RENEWALS} AND l.billing_run_id = ?) r`);
    bindings.push(runId);
  }
  parts.push(`SELECT 1 AS src, e.* FROM (${EVENTS} AND e.billing_run_id = ?${filters.kind ? ' AND e.kind = ?' : ''}) e`);
  bindings.push(runId, ...(filters.kind ? [filters.kind] : []));
  const cursor = after ? 'WHERE (x.src, x.id) > (?, ?)' : '';
  const result = (await db.raw(
    `SELECT x.*, p.number, s.product_id, s.account_id, a.name AS account_name, a.role AS account_role
     FROM (${parts.join(' UNION ALL ')}) x JOIN subscriptions s ON s.id = x.subscription_id JOIN products p ON p.id = s.product_id JOIN accounts a ON a.id = s.account_id
     ${cursor} ORDER BY x.src, x.id LIMIT ?`,
    [...bindings, ...(after ? [after.src, after.id] : []), limit],
  )) as { rows: Array<RunEventRow & { src: number }> };
  return result.rows;
}

export async function listSubscriptionEvents(db: Db, subscriptionId: number): Promise<SubscriptionEventRow[]> {
  const result = (await db.raw(
    `SELECT * FROM (${LEDGER_RENEWALS} AND l.reference_id = ? UNION ALL ${EVENTS} AND e.subscription_id = ?) x
     ORDER BY x.created_at, x.period_start NULLS LAST, x.rank, x.id`,
    [subscriptionId, subscriptionId],
  )) as { rows: SubscriptionEventRow[] };
  return result.rows;
}
