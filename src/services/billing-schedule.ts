// The server's billing schedule: the renewal job every BILLING_INTERVAL_MINUTES (0: off), once at
// start-up too, so periods missed while the server was down are charged; then the notice jobs
// (services/notice-jobs.ts). One run at a time per process; other processes running it at once are
// safe (SKIP LOCKED claims, per-period ledger keys, notice marks set by conditional updates).
// Then the invoices that are due (services/invoices.ts), issued once per account and period.
import type { Db } from '../db/knex.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { runBilling, type BillingRunSummary } from './renewals.ts';
import { refreshPlanTerms } from '../db/repos/plan-numbers.ts';
import { runNoticeJobs } from './notice-jobs.ts';
import { runAutomaticRefills, type RefillConfig } from './automatic-refills.ts';
import { monthBefore } from '../domain/invoices.ts';
import { runInvoices } from './invoices.ts';
import { settleOpenInvoices } from './invoice-settlement.ts';

type InvoiceConfig = Pick<Config, 'currency' | 'moneyDecimals' | 'invoiceOverdueGraceDays'>;

/**
 * After the renewals: the invoices of the last two months that are due (an account's cycle ends
 * on its billing day; two, so a month missed while the server was down is still issued), then
 * open invoices are settled or, overdue, suspend their account's numbers.
 */
async function runInvoiceSchedule(db: Db, config: InvoiceConfig, now: Date, logger: Pick<Logger, 'info'>): Promise<void> {
  const settings = { now, currency: config.currency, decimals: config.moneyDecimals };
  for (const period of [monthBefore(now, 2), monthBefore(now, 1)]) {
    const { issued } = await runInvoices(db, { ...settings, period });
    if (issued.length > 0) logger.info({ period, issued: issued.length }, 'invoices issued');
  }
  const settled = await settleOpenInvoices(db, { now, overdueGraceDays: config.invoiceOverdueGraceDays });
  if (settled.paid.length + settled.suspended + settled.reactivated > 0) {
    logger.info({ paid: settled.paid.length, suspended: settled.suspended, reactivated: settled.reactivated }, 'open invoices settled');
  }
}

export interface BillingSchedule {
  /** Resolves when the run in progress (if any) is over. */
  stop(): Promise<void>;
  /** Runs now unless a run is in progress; resolves with its summary, or undefined when skipped. */
  runNow(): Promise<BillingRunSummary | undefined>;
}

export function startBillingSchedule(
  db: Db,
  // With the Stripe settings, each run ends with the automatic refills (services/automatic-refills.ts); with the money settings, the invoices.
  config: Pick<Config, 'billingIntervalMinutes' | 'billingGraceDays' | 'renewalNoticeDays'> & Partial<RefillConfig> & Partial<InvoiceConfig>,
  logger: Pick<Logger, 'info' | 'error' | 'warn'>,
  clock: () => Date = () => new Date(),
): BillingSchedule {
  let current: Promise<BillingRunSummary | undefined> | undefined;
  let stopped = false;

  const runNow = (): Promise<BillingRunSummary | undefined> => {
    if (stopped || current) return Promise.resolve(undefined);
    // Rate plan versions that took effect since the last run: the numbers' shown terms follow them
    // (rating reads the version in force itself, so this is for the pages only).
    current = refreshPlanTerms(db, clock())
      .catch((error: unknown) => logger.error({ err: error }, 'rate plan refresh failed'))
      .then(() => runBilling(db, { now: clock(), trigger: 'schedule', graceDays: config.billingGraceDays, logger }))
      .then((summary) => {
        const { renewed, renewedTotal, suspended, released, expired, failed } = summary;
        logger.info({ billingRunId: summary.run?.id, renewed, renewedTotal, suspended, released, expired, failed }, 'billing run finished');
        return summary;
      })
      .then(async (summary) => {
        const { currency, moneyDecimals, invoiceOverdueGraceDays } = config;
        if (currency !== undefined && moneyDecimals !== undefined && invoiceOverdueGraceDays !== undefined) {
          await runInvoiceSchedule(db, { currency, moneyDecimals, invoiceOverdueGraceDays }, clock(), logger)
            .catch((error: unknown) => logger.error({ err: error }, 'invoice run failed'));
        }
        const { sessionSecret, stripeApi, publicUrl } = config;
        if (sessionSecret === undefined || stripeApi === undefined || currency === undefined || publicUrl === undefined) return summary;
        await runAutomaticRefills(db, { sessionSecret, stripeApi, currency, publicUrl }, clock(), logger)
          .then((refills) => logger.info(refills, 'automatic refills finished'))
          .catch((error: unknown) => logger.error({ err: error }, 'automatic refills failed'));
        return summary;
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'billing run failed');
        return undefined;
      })
      // After the renewals, so the notices see the balances and due dates they left.
      .then(async (summary) => {
        try {
          const notices = await runNoticeJobs(db, { now: clock(), noticeDays: config.renewalNoticeDays, graceDays: config.billingGraceDays });
          logger.info(notices, 'notice jobs finished');
        } catch (error) {
          logger.error({ err: error }, 'notice jobs failed');
        }
        return summary;
      })
      .finally(() => {
        current = undefined;
      });
    return current;
  };

  if (config.billingIntervalMinutes === 0) {
    return { stop: async () => {}, runNow };
  }
  const first = setTimeout(() => void runNow(), 1000);
  const timer = setInterval(() => void runNow(), config.billingIntervalMinutes * 60_000);
  first.unref();
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await current;
    },
    runNow,
  };
}
