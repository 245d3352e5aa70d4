import type { Express } from 'express';
import type { Knex } from 'knex';
import { createApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { PricingSettings } from '../../src/services/acquisition.ts';

/** Settings for tests: cheap bcrypt, no logs, no demo data, webhook receivers on localhost. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', BCRYPT_COST: '4', LOG_LEVEL: 'silent', SEED_DEMO: 'false', WEBHOOK_ALLOW_HTTP: 'true', ...overrides });
}

/** The pricing the test config gives purchases (RESELLER_DEFAULT_MARKUP_PERCENT, MONEY_DECIMALS). */
export function testPricing(config: Config = testConfig()): PricingSettings {
  return { markupPercent: config.resellerDefaultMarkupPercent, decimals: config.moneyDecimals, prorateFirstPeriod: config.prorateFirstPeriod };
}

export function createTestApp(db: Knex, options: { config?: Config; now?: () => Date } = {}): Express {
  const config = options.config ?? testConfig();
  return createApp({ db, config, logger: createLogger(config.logLevel), ...(options.now ? { now: options.now } : {}) });
}
