// The only reader of process.env. Parsed once with zod, typed, frozen: a bad setting stops the
// process at start with a message naming it, instead of failing later in a request.
import path from 'node:path';
import { z } from 'zod';

const booleanText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

// "Name <address>" or a bare address, on one line (it becomes a mail header).
const MAIL_FROM_PATTERN = /^(?:([^<>"\r\n]*?)\s*<([^<>\s@]+@[^<>\s@]+)>|([^<>\s@]+@[^<>\s@]+))$/;

function parseMailFrom(value: string): { name: string; address: string } {
  const match = MAIL_FROM_PATTERN.exec(value.trim()) as RegExpExecArray;
  const address = (match[2] ?? match[3]) as string;
  return { name: (match[1] ?? '').trim() || 'didhub', address };
}

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  SESSION_SECRET: z.string().min(16, 'SESSION_SECRET must be at least 16 characters').optional(),
  SECURE_COOKIES: booleanText.default(false),
  TRUST_PROXY: booleanText.default(false),
  CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'CURRENCY is an ISO 4217 code such as USD').default('USD'),
  MONEY_DECIMALS: z.coerce.number().int().min(0).max(6).default(4),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  SEED_DEMO: booleanText.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RESELLER_DEFAULT_MARKUP_PERCENT: z
    .string()
    .regex(/^\d{1,4}(\.\d{1,4})?$/, 'RESELLER_DEFAULT_MARKUP_PERCENT is a percentage such as 20 or 12.5')
    .default('20'),
  MAX_CALL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(7200),
  CALL_SLOT_MARGIN_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  BRIDGE_SIP_URI: z.string().min(1).default('sofia/external/{destination}'),
  BRIDGE_PSTN: z.string().min(1).default('sofia/gateway/{gateway}/{destination}'),
  BRIDGE_EXTENSION: z.string().min(1).default('user/{destination}@{domain}'),
  PSTN_GATEWAY: z.string().min(1).default('pstn'),
  EXTENSION_DOMAIN: z.string().min(1).default('${domain_name}'),
  BILLING_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  RENEWAL_NOTICE_DAYS: z.coerce.number().int().min(0).max(365).default(3),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'SMTP_URL is smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS)')
    .optional(),
  MAIL_FROM: z
    .string()
    .regex(MAIL_FROM_PATTERN, 'MAIL_FROM is an address, or a name and an address: didhub <no-reply@example.com>')
    .default('didhub <no-reply@didhub.local>'),
  API_RATE_LIMIT: z.coerce.number().positive().max(10_000).default(20),
  API_RATE_BURST: z.coerce.number().int().min(1).max(100_000).optional(),
  API_HOLD_MAX_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  PUBLIC_URL: z
    .string()
    .url('PUBLIC_URL is the address users open, such as https://portal.example.com')
    .regex(/^https?:\/\//, 'PUBLIC_URL starts with http:// or https://')
    .default('http://localhost:3000'),
  PASSWORD_RESET_MAX_REQUESTS: z.coerce.number().int().min(1).default(5),
  PRORATE_FIRST_PERIOD: booleanText.default(true),
  CREDIT_UNUSED_DAYS_ON_RELEASE: booleanText.default(false),
  WEBHOOK_ALLOW_HTTP: booleanText.default(false),
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  PAYMENT_MIN_AMOUNT: z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, 'PAYMENT_MIN_AMOUNT is an amount such as 5').default('5'),
  PAYMENT_MAX_AMOUNT: z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, 'PAYMENT_MAX_AMOUNT is an amount such as 1000').default('1000'),
  CHECKOUT_EXPIRY_HOURS: z.coerce.number().int().min(1, 'CHECKOUT_EXPIRY_HOURS is 1 to 24 (Stripe keeps a Checkout page open at most 24 hours)').max(24, 'CHECKOUT_EXPIRY_HOURS is 1 to 24 (Stripe keeps a Checkout page open at most 24 hours)').default(24),
  STRIPE_API_HOST: z.string().min(1).optional(),
  STRIPE_API_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  STRIPE_API_PROTOCOL: z.enum(['http', 'https']).optional(),
  INVOICE_OVERDUE_GRACE_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Real Postgres when set; otherwise the embedded database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  sessionSecret: string;
  secureCookies: boolean;
  trustProxy: boolean;
  currency: string;
  moneyDecimals: number;
  bcryptCost: number;
  loginMaxAttempts: number;
  loginWindowMinutes: number;
  seedDemo: boolean;
  logLevel: string;
  /** A reseller's sell terms for a number it buys start at its buy terms plus this percentage. */
  resellerDefaultMarkupPercent: string;
  /** The longest call a route allows, whatever the funds (seconds). */
  maxCallSeconds: number;
  /** A call's concurrency slot lives its maximum duration plus this, if its CDR never comes. */
  callSlotMarginSeconds: number;
  /** Bridge strings per destination type: {destination}, {gateway} and {domain} are filled in. */
  bridgeTemplates: { sip_uri: string; pstn: string; extension: string };
  pstnGateway: string;
  extensionDomain: string;
  /** How often the server runs the renewal job, in minutes; 0 = never (run `didhub billing run` instead). */
  billingIntervalMinutes: number;
  /** Days a suspended (unpaid) subscription waits before its number is released. */
  billingGraceDays: number;
  /** Days before a renewal that the owner is warned its funds will not cover it. */
  renewalNoticeDays: number;
  /** Where mail goes: smtp:// (STARTTLS when offered) or smtps:// (TLS); unset: mails are kept on the Outbox page, not sent. */
  smtpUrl: string | undefined;
  /** The sender: its address on every mail; its name is the operator's brand (a reseller's customers see the reseller's name instead). */
  mailFrom: { name: string; address: string };
  /** API requests a key may make per second (token bucket, counted in Postgres), and the burst above it. */
  apiRateLimit: number;
  apiRateBurst: number;
  /** The longest an API number hold may last, in minutes (default hold: 10 minutes). */
  apiHoldMaxMinutes: number;
  /** Where users reach the portal (no trailing slash): the base of links in mails. */
  publicUrl: string;
  /** Password reset requests per client address, and per email, in each LOGIN_WINDOW_MINUTES window. */
  passwordResetMaxRequests: number;
  /** A calendar month's first period costs its days' part of the price (false: the whole price). */
  prorateFirstPeriod: boolean;
  /** Releasing a calendar-billed number mid-period credits the holder its unused days. */
  creditUnusedDaysOnRelease: boolean;
  /** Webhook endpoints may use plain http:// (and https to private hosts), only to this machine or a private network: development and tests. Off, a delivery whose host resolves to such an address is refused. */
  webhookAllowHttp: boolean;
  /** A webhook endpoint whose every delivery failed for this many hours (5 tries at least) is disabled; 410 Gone disables at once. */
  webhookDisableAfterHours: number;
  /** Bounds of an "Add funds" amount, in CURRENCY. */
  paymentMinAmount: string;
  paymentMaxAmount: string;
  /** How long a Checkout page stays open (Stripe's session lifetime); an unpaid payment older than this is marked expired. */
  checkoutExpiryHours: number;
  /** Only for tests and development: where the Stripe client sends its API calls (default api.stripe.com). */
  stripeApi: { host?: string; port?: number; protocol?: 'http' | 'https' };
  /** Days after an invoice's due date before its account's numbers are suspended for it. */
  invoiceOverdueGraceDays: number;
  /** Days a delivered or failed outbox message (and its delivery log) is kept; 0 keeps them forever. */
  outboxRetentionDays: number;
}

// Only for development and tests: production refuses to start without its own secret.
const DEVELOPMENT_SESSION_SECRET = 'didhub-development-only-session-secret';

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid settings:\n  ${problems.join('\n  ')}`);
  }
  const settings = parsed.data;
  if (settings.NODE_ENV === 'production' && !settings.SESSION_SECRET) {
    throw new ConfigError('Invalid settings:\n  SESSION_SECRET: required when NODE_ENV=production');
  }
  return Object.freeze({
    env: settings.NODE_ENV,
    port: settings.PORT,
    host: settings.HOST,
    databaseUrl: settings.DATABASE_URL,
    dataDir: path.resolve(settings.DATA_DIR),
    sessionSecret: settings.SESSION_SECRET ?? DEVELOPMENT_SESSION_SECRET,
    secureCookies: settings.SECURE_COOKIES,
    trustProxy: settings.TRUST_PROXY,
    currency: settings.CURRENCY,
    moneyDecimals: settings.MONEY_DECIMALS,
    bcryptCost: settings.BCRYPT_COST,
    loginMaxAttempts: settings.LOGIN_MAX_ATTEMPTS,
    loginWindowMinutes: settings.LOGIN_WINDOW_MINUTES,
    seedDemo: settings.SEED_DEMO,
    logLevel: settings.LOG_LEVEL,
    resellerDefaultMarkupPercent: settings.RESELLER_DEFAULT_MARKUP_PERCENT,
    maxCallSeconds: settings.MAX_CALL_SECONDS,
    callSlotMarginSeconds: settings.CALL_SLOT_MARGIN_SECONDS,
    bridgeTemplates: Object.freeze({ sip_uri: settings.BRIDGE_SIP_URI, pstn: settings.BRIDGE_PSTN, extension: settings.BRIDGE_EXTENSION }),
    pstnGateway: settings.PSTN_GATEWAY,
    extensionDomain: settings.EXTENSION_DOMAIN,
    billingIntervalMinutes: settings.BILLING_INTERVAL_MINUTES,
    billingGraceDays: settings.BILLING_GRACE_DAYS,
    renewalNoticeDays: settings.RENEWAL_NOTICE_DAYS,
    smtpUrl: settings.SMTP_URL,
    mailFrom: Object.freeze(parseMailFrom(settings.MAIL_FROM)),
    apiRateLimit: settings.API_RATE_LIMIT,
    apiRateBurst: settings.API_RATE_BURST ?? Math.max(1, Math.ceil(settings.API_RATE_LIMIT * 2)),
    apiHoldMaxMinutes: settings.API_HOLD_MAX_MINUTES,
    publicUrl: settings.PUBLIC_URL.replace(/\/+$/, ''),
    passwordResetMaxRequests: settings.PASSWORD_RESET_MAX_REQUESTS,
    prorateFirstPeriod: settings.PRORATE_FIRST_PERIOD,
    creditUnusedDaysOnRelease: settings.CREDIT_UNUSED_DAYS_ON_RELEASE,
    webhookAllowHttp: settings.WEBHOOK_ALLOW_HTTP,
    webhookDisableAfterHours: settings.WEBHOOK_DISABLE_AFTER_HOURS,
    paymentMinAmount: settings.PAYMENT_MIN_AMOUNT,
    paymentMaxAmount: settings.PAYMENT_MAX_AMOUNT,
    checkoutExpiryHours: settings.CHECKOUT_EXPIRY_HOURS,
    stripeApi: Object.freeze({
      ...(settings.STRIPE_API_HOST ? { host: settings.STRIPE_API_HOST } : {}),
      ...(settings.STRIPE_API_PORT ? { port: settings.STRIPE_API_PORT } : {}),
      ...(settings.STRIPE_API_PROTOCOL ? { protocol: settings.STRIPE_API_PROTOCOL } : {}),
    }),
    invoiceOverdueGraceDays: settings.INVOICE_OVERDUE_GRACE_DAYS,
    outboxRetentionDays: settings.OUTBOX_RETENTION_DAYS,
  });
}
