// Delivers the outbox: each channel (mail, webhook) brings its own `deliver`; this module claims
// due messages, calls it, and records the outcome: delivered, tried again later on the retry
// schedule, or failed for good (a permanent refusal, or the schedule exhausted).
import type { Db } from '../db/knex.ts';
import {
  claimOutboxMessages,
  markOutboxAttemptFailed,
  markOutboxDelivered,
  type OutboxChannel,
  type OutboxMessageRow,
} from '../db/outbox.ts';
import { nextAttemptAt } from '../domain/retry-schedule.ts';
import type { Logger } from '../logger.ts';

export type DeliveryOutcome =
  | { ok: true; responseCode?: number; detail?: string }
  /** permanent: no retry (an SMTP 5xx, a webhook endpoint gone); otherwise the retry schedule applies. */
  | { ok: false; permanent: boolean; responseCode?: number; detail: string };

export interface OutboxDeliverer {
  channel: OutboxChannel;
  /** Must settle well within the lease (LEASE_SECONDS): a hung receiver is a failed try. `db` reads what the message refers to (a webhook's endpoint and secret). */
  deliver(message: OutboxMessageRow, context: { db: Db }): Promise<DeliveryOutcome>;
  /** How many messages one claim takes (default 50): their deliveries, one after another, must fit in the lease. */
  batchSize?: number;
  /** Called after the outcome is stored (an endpoint counting its failures, say); errors are logged, not fatal. */
  afterOutcome?(db: Db, message: OutboxMessageRow, outcome: DeliveryOutcome, now: Date): Promise<void>;
}

export interface DeliveryRunSummary {
  delivered: number;
  retrying: number;
  failed: number;
}

/** A claimed message is its worker's for this long; a worker that dies gives it back after it. */
export const LEASE_SECONDS = 300;

/** Claims and delivers up to `limit` due messages of the deliverer's channel, one after another. */
export async function deliverDueMessages(
  db: Db,
  deliverer: OutboxDeliverer,
  options: { now: () => Date; limit?: number; logger?: Pick<Logger, 'warn' | 'error'> },
): Promise<DeliveryRunSummary> {
  const summary: DeliveryRunSummary = { delivered: 0, retrying: 0, failed: 0 };
  const claimed = await claimOutboxMessages(db, deliverer.channel, { limit: options.limit ?? deliverer.batchSize ?? 50, leaseSeconds: LEASE_SECONDS, now: options.now() });
  for (const message of claimed) {
    const started = Date.now();
    let outcome: DeliveryOutcome;
    try {
      outcome = await deliverer.deliver(message, { db });
    } catch (error) {
      outcome = { ok: false, permanent: false, detail: error instanceof Error ? error.message : String(error) };
    }
    const at = options.now();
    const attempt = { ok: outcome.ok, responseCode: outcome.responseCode ?? null, detail: outcome.detail ?? null, durationMs: Date.now() - started, at };
    if (outcome.ok) {
      await markOutboxDelivered(db, message.id, attempt);
      summary.delivered += 1;
    } else {
      const retryAt = outcome.permanent ? undefined : nextAttemptAt(message.attempts, at);
      await markOutboxAttemptFailed(db, message.id, attempt, retryAt);
      if (retryAt) summary.retrying += 1;
      else summary.failed += 1;
      options.logger?.warn({ messageId: message.id, channel: message.channel, event: message.event, detail: outcome.detail, retryAt }, 'outbox delivery failed');
    }
    if (deliverer.afterOutcome) {
      await deliverer.afterOutcome(db, message, outcome, at).catch((error: unknown) => options.logger?.error({ err: error }, 'outbox after-delivery hook failed'));
    }
  }
  return summary;
}

/** Delivers until nothing is due (or `maxRounds` batches), for the CLI and tests. */
export async function drainOutbox(
  db: Db,
  deliverer: OutboxDeliverer,
  options: { now: () => Date; limit?: number; maxRounds?: number; logger?: Pick<Logger, 'warn' | 'error'> },
): Promise<DeliveryRunSummary> {
  const total: DeliveryRunSummary = { delivered: 0, retrying: 0, failed: 0 };
  for (let round = 0; round < (options.maxRounds ?? 100); round += 1) {
    const summary = await deliverDueMessages(db, deliverer, options);
    total.delivered += summary.delivered;
    total.retrying += summary.retrying;
    total.failed += summary.failed;
    if (summary.delivered + summary.retrying + summary.failed === 0) break;
  }
  return total;
}

export interface OutboxWorker {
  /** Resolves when the round in progress (if any) is over. */
  stop(): Promise<void>;
  /** Runs a round now unless one is in progress. */
  runNow(): Promise<void>;
}

/** Every `intervalMs` in each app process, a round per deliverer; concurrent workers are safe (SKIP LOCKED and leases). */
export function startOutboxWorker(
  db: Db,
  deliverers: OutboxDeliverer[],
  logger: Pick<Logger, 'info' | 'warn' | 'error'>,
  options: { intervalMs?: number; clock?: () => Date } = {},
): OutboxWorker {
  const now = options.clock ?? (() => new Date());
  let current: Promise<void> | undefined;
  let stopped = false;
  const runNow = (): Promise<void> => {
    if (stopped || current) return current ?? Promise.resolve();
    current = (async () => {
      for (const deliverer of deliverers) {
        try {
          const summary = await drainOutbox(db, deliverer, { now, logger, maxRounds: 10 });
          if (summary.delivered + summary.retrying + summary.failed > 0) logger.info({ channel: deliverer.channel, ...summary }, 'outbox round');
        } catch (error) {
          logger.error({ err: error, channel: deliverer.channel }, 'outbox round failed');
        }
      }
    })().finally(() => {
      current = undefined;
    });
    return current;
  };
  const timer = setInterval(() => void runNow(), options.intervalMs ?? 5000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
    runNow,
  };
}
