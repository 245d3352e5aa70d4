// `npm start`: migrate, seed demo data into an empty database, serve, and shut down cleanly.
import type { AddressInfo } from 'node:net';
import { seedDemo } from '../seeds/demo.ts';
import { createApp } from './app.ts';
import { demoLoginsText } from './cli/seed.ts';
import { ConfigError, loadConfig } from './config.ts';
import { describeDatabase, migrateLatest, openDatabase } from './db/open.ts';
import { createLogger } from './logger.ts';
import { startBillingSchedule } from './services/billing-schedule.ts';
import { startReservationExpiry } from './services/call-reservations.ts';
import { startHoldExpiry } from './services/number-holds.ts';
import { startReportCompaction } from './services/report-rollups.ts';
import { startPaymentExpiry } from './services/payment-expiry.ts';
import { outboxDeliverers } from './services/outbox-deliverers.ts';
import { startOutboxWorker } from './services/outbox-worker.ts';
import { startOutboxPruning } from './services/outbox-retention.ts';

async function start(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config);
  console.log(`didhub: database ${describeDatabase(config)}`);
  const applied = await migrateLatest(db);
  if (applied.length > 0) console.log(`didhub: applied ${applied.length} migration(s)`);
  if (config.seedDemo) {
    const seeded = await seedDemo(db, { now: new Date(), bcryptCost: config.bcryptCost, moneyDecimals: config.moneyDecimals, currency: config.currency });
    if (seeded.seeded) console.log(`didhub: demo data written (${seeded.dids} DIDs, ${seeded.calls} calls)`);
  }

  const app = createApp({ db, config, logger });
  const server = app.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    console.log(`\ndidhub is running on http://localhost:${port}\n`);
    if (config.seedDemo) console.log(demoLoginsText());
  });
  const billing = startBillingSchedule(db, config, logger);
  const expiry = startReservationExpiry(db, logger);
  const holdExpiry = startHoldExpiry(db, logger);
  const reportCompaction = startReportCompaction(db, logger);
  const paymentExpiry = startPaymentExpiry(db, config, logger);
  const outbox = startOutboxWorker(db, outboxDeliverers(config, logger), logger);
  const outboxPruning = startOutboxPruning(db, config.outboxRetentionDays, logger);
  if (config.billingIntervalMinutes > 0) console.log(`didhub: billing runs every ${config.billingIntervalMinutes} minute(s)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`didhub: ${signal} received, finishing requests and closing`);
    server.close(async () => {
      await billing.stop();
      await expiry.stop();
      await holdExpiry.stop();
      await reportCompaction.stop();
      await paymentExpiry.stop();
      await outbox.stop();
      await outboxPruning.stop();
      await db.destroy();
      process.exit(0);
    });
    server.closeIdleConnections();
    // Requests that hang must not hold the process forever.
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

start().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
