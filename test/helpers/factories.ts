// Rows for tests, with sensible defaults; each call makes unique emails and numbers.
import type { Knex } from 'knex';
import type { ApiScope } from '../../src/domain/api-keys.ts';
import type { AccountRow, Role } from '../../src/db/repos/accounts.ts';
import type { LedgerKind } from '../../src/db/repos/ledger.ts';
import { Money, toStored } from '../../src/domain/money.ts';
import { createAccount } from '../../src/services/accounts.ts';
import { postLedgerBatch, postLedgerEntry, type BatchPosting } from '../../src/db/ledger-writer.ts';
import type { Config } from '../../src/config.ts';
import { insertPayment, updatePayment, type PaymentKind, type PaymentRow } from '../../src/db/repos/payments.ts';
import { updateStripeSettings } from '../../src/services/stripe-settings.ts';

export const TEST_PASSWORD = 'correct-horse-battery';
let sequence = 0;
const next = () => `${process.pid}-${++sequence}`;

export interface AccountFields {
  role?: Role;
  parent?: AccountRow | null;
  name?: string;
  email?: string;
  status?: AccountRow['status'];
  billing_mode?: AccountRow['billing_mode'];
  credit_limit?: string;
  max_concurrent_calls?: number;
  /** Day of the month its calendar-month numbers renew (default 1). */
  billing_day?: number;
  /** Money put on the account through a ledger payment, so balance = sum(ledger). */
  balance?: string;
}

export async function makeAccount(db: Knex, fields: AccountFields = {}): Promise<AccountRow> {
  const role = fields.role ?? 'customer';
  const id = next();
  let account = await createAccount(
    db,
    {
      role,
      parent_id: role === 'admin' ? null : (fields.parent?.id ?? null),
      name: fields.name ?? `${role} ${id}`,
      email: fields.email ?? `${role}-${id}@test.example`,
      password: TEST_PASSWORD,
      status: fields.status ?? 'active',
      billing_mode: fields.billing_mode ?? 'prepaid',
      credit_limit: fields.credit_limit ?? '0',
      max_concurrent_calls: fields.max_concurrent_calls ?? 0,
      ...(fields.billing_day === undefined ? {} : { billing_day: fields.billing_day }),
    },
    4,
  );
  if (fields.balance && fields.balance !== '0') account = await fund(db, account, fields.balance);
  return account;
}

/** Money onto (or, negative, off) an account through the ledger writer, as a payment would be. */
export async function fund(db: Knex, account: Pick<AccountRow, 'id'>, amount: string, kind: LedgerKind = 'payment'): Promise<AccountRow> {
  const result = await db.transaction((trx) =>
    postLedgerEntry(trx, {
      accountId: account.id, amount, kind, description: 'Test payment', idempotencyKey: `test:${kind}:${account.id}:${next()}`, now: new Date(),
    }),
  );
  return result.account;
}

export interface BulkAccount {
  role: Role;
  parent_id: number;
  balance: string;
  name?: string;
  billing_mode?: AccountRow['billing_mode'];
  credit_limit?: string;
}

/**
 * Hundreds of funded accounts for races and billing runs: one bulk insert of the accounts, then
 * their opening payments in one batch through the ledger writer (balance = sum(ledger)).
 */
export async function makeFundedAccounts(db: Knex, accounts: BulkAccount[]): Promise<number[]> {
  const rows = accounts.map(({ balance: _balance, ...account }) => {
    const id = next();
    return { name: `${account.role} ${id}`, email: `${account.role}-${id}@test.example`, password_hash: 'x', ...account };
  });
  const ids = ((await db('accounts').insert(rows).returning('id')) as Array<{ id: number }>).map((r) => r.id);
  const openings: BatchPosting[] = ids.map((id, i) => ({
    accountId: id, amount: accounts[i]!.balance, kind: 'payment', description: 'Opening payment', idempotencyKey: `test:opening:${id}`,
    referenceType: null, referenceId: null,
  }));
  await db.transaction((trx) => postLedgerBatch(trx, openings.filter((posting) => !new Money(posting.amount).isZero()), { now: new Date(), billingRunId: null }));
  return ids;
}

export interface HistoryEntry {
  kind: LedgerKind;
  amount: string;
  /** YYYY-MM-DD: the entry is dated 10:00 UTC that day. */
  day: string;
  description?: string;
  /** A subscription the entry refers to. */
  reference_id?: number;
}

/**
 * A long ledger history (pages and exports over many rows) through the ledger writer's batch: one
 * batch per run of entries on the same day, so each row is dated that day and the balance_after
 * chain and the account's balance are the writer's own.
 */
export async function makeLedgerHistory(db: Knex, account: Pick<AccountRow, 'id'>, entries: HistoryEntry[]): Promise<void> {
  const key = next();
  await db.transaction(async (trx) => {
    let start = 0;
    while (start < entries.length) {
      const day = entries[start]!.day;
      let end = start;
      while (end < entries.length && entries[end]!.day === day) end += 1;
      const postings: BatchPosting[] = entries.slice(start, end).map((entry, offset) => ({
        accountId: account.id, amount: entry.amount, kind: entry.kind, description: entry.description ?? `${entry.kind} ${start + offset}`,
        idempotencyKey: `test:history:${key}:${start + offset}`,
        referenceType: entry.reference_id ? 'subscription' : null, referenceId: entry.reference_id ?? null,
      }));
      await postLedgerBatch(trx, postings, { now: new Date(`${day}T10:00:00Z`), billingRunId: null });
      start = end;
    }
  });
}

/** An admin, a reseller under it, a customer of each. */
export async function makeHierarchy(db: Knex) {
  const admin = await makeAccount(db, { role: 'admin' });
  const reseller = await makeAccount(db, { role: 'reseller', parent: admin });
  const customer = await makeAccount(db, { role: 'customer', parent: admin });
  const resellerCustomer = await makeAccount(db, { role: 'customer', parent: reseller });
  return { admin, reseller, customer, resellerCustomer };
}

export async function makeProvider(db: Knex, name = `Carrier ${next()}`): Promise<{ id: number; name: string }> {
  const [row] = (await db('providers').insert({ name }).returning(['id', 'name'])) as Array<{ id: number; name: string }>;
  return row!;
}

let numberSequence = 0;
/** A valid, unique US number in the 555-01xx fictional range's neighbours. */
export function uniqueUsNumber(): string {
  numberSequence += 1;
  const suffix = String((process.pid * 7919 + numberSequence) % 10_000_000).padStart(7, '0');
  return `+1415${suffix}`;
}

export interface DidFields {
  number?: string;
  provider_id?: number | null;
  country?: string;
  status?: 'active' | 'inactive';
  reseller_id?: number | null;
  customer_id?: number | null;
  [column: string]: unknown;
}

export async function makeDid(db: Knex, fields: DidFields = {}): Promise<{ id: number; number: string }> {
  const [row] = (await db('products')
    .insert({
      category: 'did', number: fields.number ?? uniqueUsNumber(), country: 'US', province: 'CA', city: 'San Francisco',
      status: 'active', buy_cost: '0.40', setup_fee: '1.00', monthly_fee: '2.00', connection_cost: '0.10', grace_seconds: 10,
      cost_per_minute: '0.60', initial_increment: 60, increment: 6, call_timeout: 30, billing_type: 'recurring', billing_days: 30,
      concurrent_calls: 2, ...fields,
    })
    .returning(['id', 'number'])) as Array<{ id: number; number: string }>;
  return row!;
}

/** A registered switch and its token (shown once in the app; returned here for tests). */
export async function makeSwitch(db: Knex, fields: { name?: string; allowedAddresses?: string; admin?: AccountRow } = {}): Promise<{ id: number; token: string }> {
  const { registerSwitch } = await import('../../src/services/switches.ts');
  const admin = fields.admin ?? (await makeAccount(db, { role: 'admin' }));
  const { row, token } = await registerSwitch(db, { name: fields.name ?? `switch ${next()}`, allowedAddresses: fields.allowedAddresses ?? '' }, admin.id, new Date());
  return { id: row.id, token };
}

export interface OwnedDidFields extends DidFields {
  /** The account that owns the number: a customer (direct or of `reseller`), or a reseller holding it. */
  owner: AccountRow;
  /** For a customer of a reseller: the reseller it bought from. */
  reseller?: AccountRow | null;
  /** The reseller's sell terms (reseller_prices), for a customer of a reseller. */
  sell?: { connection_cost: string; grace_seconds: number; cost_per_minute: string; initial_increment: number; increment: number } | null;
  subscription?: 'active' | 'suspended' | 'ended' | null;
  resellerSubscription?: 'active' | 'suspended' | 'ended' | null;
  /** The owner's subscription: its price per period (default 0) and next renewal (default in 30 days). */
  price?: string;
  nextBillingAt?: Date;
}

/**
 * A number held as the purchase service leaves it: holder columns, live subscriptions for the
 * owner (and its reseller) and, for a customer of a reseller, the reseller's sell terms.
 */
export async function makeOwnedDid(db: Knex, fields: OwnedDidFields): Promise<{ id: number; number: string }> {
  const { owner, reseller = null, sell, subscription = 'active', resellerSubscription = 'active', price, nextBillingAt, ...didFields } = fields;
  const holders = owner.role === 'reseller' ? { reseller_id: owner.id, customer_id: null } : { reseller_id: reseller?.id ?? null, customer_id: owner.id };
  const did = await makeDid(db, { destination_type: 'sip_uri', destination: 'sip:office@pbx.example.com', ...holders, ...didFields });
  const subscribe = async (accountId: number, sellerId: number, status: 'active' | 'suspended' | 'ended', terms: { price?: string; next?: Date } = {}) => {
    const now = new Date();
    await db('subscriptions').insert({
      product_id: did.id, account_id: accountId, seller_id: sellerId, status, billing_type: 'recurring', billing_days: 30,
      setup_fee: '0', price: terms.price ?? '0', started_at: now, next_billing_at: terms.next ?? new Date(now.getTime() + 30 * 86_400_000),
      ended_at: status === 'ended' ? now : null,
    });
  };
  if (subscription) await subscribe(owner.id, reseller?.id ?? owner.parent_id!, subscription, { price, next: nextBillingAt });
  if (reseller) {
    if (resellerSubscription) await subscribe(reseller.id, reseller.parent_id!, resellerSubscription);
    if (sell !== null) {
      await db('reseller_prices').insert({
        product_id: did.id, reseller_id: reseller.id, setup_fee: '0', monthly_fee: '0',
        ...(sell ?? { connection_cost: '0.20', grace_seconds: 0, cost_per_minute: '1.20', initial_increment: 60, increment: 60 }),
      });
    }
  }
  return did;
}

/** An API key of the account (every scope its role may have unless given) and its secret. */
export async function makeApiKey(
  db: Knex,
  account: Pick<AccountRow, 'id'>,
  fields: { scopes?: string[]; allowedIps?: string[]; expiresAt?: Date | null; name?: string } = {},
): Promise<{ id: number; secret: string }> {
  const { createApiKey } = await import('../../src/services/api-keys.ts');
  const { scopesForRole } = await import('../../src/domain/api-keys.ts');
  const { role } = (await db('accounts').where({ id: account.id }).first('role')) as { role: string };
  const { key, secret } = await createApiKey(db, {
    accountId: account.id,
    name: fields.name ?? `key ${next()}`,
    scopes: (fields.scopes ?? scopesForRole(role)) as ApiScope[],
    allowedIps: fields.allowedIps ?? [],
    expiresAt: fields.expiresAt ?? null,
    now: new Date(),
  });
  return { id: key.id, secret };
}

/** Many numbers in one insert (pages, exports, races); each row as makeDid's defaults. */
export async function makeDids(db: Knex, rows: DidFields[]): Promise<Array<{ id: number; number: string; customer_id: number | null }>> {
  const full = rows.map((fields) => ({ category: 'did', number: fields.number ?? uniqueUsNumber(), country: 'US', status: 'active', ...fields }));
  return (await db('products').insert(full).returning(['id', 'number', 'customer_id'])) as Array<{ id: number; number: string; customer_id: number | null }>;
}

export interface SubscriptionFields {
  product_id: number;
  account_id: number;
  seller_id: number;
  status?: 'active' | 'suspended' | 'ended';
  price?: string;
  setup_fee?: string;
  billing_type?: 'recurring' | 'one_time';
  billing_days?: number;
  started_at?: Date;
  next_billing_at?: Date | null;
  ended_at?: Date | null;
  end_reason?: string | null;
}

/** Subscriptions as a purchase leaves them (no ledger rows: charge through the services when a test needs money moved). */
export async function makeSubscriptions(db: Knex, rows: SubscriptionFields[]): Promise<number[]> {
  const now = new Date();
  const full = rows.map((fields) => ({
    status: 'active', billing_type: 'recurring', billing_days: 30, setup_fee: '0', price: '0', started_at: now,
    next_billing_at: new Date(now.getTime() + 30 * 86_400_000), ...fields,
  }));
  return ((await db('subscriptions').insert(full).returning('id')) as Array<{ id: number }>).map((row) => row.id);
}

export async function makeSubscription(db: Knex, fields: SubscriptionFields): Promise<number> {
  const [id] = await makeSubscriptions(db, [fields]);
  return id!;
}

/** Many accounts in one insert, without money (list pages and paging). */
export async function makeAccounts(db: Knex, rows: Array<{ role: Role; parent_id: number | null; name?: string; email?: string }>): Promise<number[]> {
  const full = rows.map((fields) => {
    const id = next();
    return { name: `${fields.role} ${id}`, email: `${fields.role}-${id}@test.example`, password_hash: 'x', ...fields };
  });
  return ((await db('accounts').insert(full).returning('id')) as Array<{ id: number }>).map((row) => row.id);
}

export interface CallFields {
  uuid?: string;
  product: { id: number; number: string };
  owner_id: number;
  reseller_id?: number | null;
  at: Date;
  billsec?: number;
  cost?: string;
}

/** A rated call record as CDR charging stores it (no charge moved: for list pages and tenancy). */
export async function makeCall(db: Knex, fields: CallFields): Promise<number> {
  const billsec = fields.billsec ?? 60;
  const [row] = (await db('calls')
    .insert({
      uuid: fields.uuid ?? `call-${next()}`, source: 'api', product_id: fields.product.id, number: fields.product.number, caller: '+15555550000',
      owner_id: fields.owner_id, reseller_id: fields.reseller_id ?? null, started_at: fields.at, answered_at: fields.at,
      ended_at: new Date(fields.at.getTime() + billsec * 1000), duration_seconds: billsec, billsec, hangup_cause: 'NORMAL_CLEARING',
      cost: fields.cost ?? '0.010000', billed_seconds: billsec, received_at: fields.at,
    })
    .returning('id')) as Array<{ id: number }>;
  return row!.id;
}

/** A rate plan with one version in force since the day before `at` (absolute terms, 0.01/min). */
export async function makeRatePlan(
  db: Knex,
  fields: { owner_id: number | null; name: string; kind?: 'absolute' | 'markup'; created_by: number; at: Date; versions?: boolean },
): Promise<number> {
  const [row] = (await db('rate_plans')
    .insert({ owner_id: fields.owner_id, name: fields.name, kind: fields.kind ?? 'absolute', created_by: fields.created_by, created_at: fields.at, updated_at: fields.at })
    .returning('id')) as Array<{ id: number }>;
  if (fields.versions !== false) {
    await db('rate_plan_versions').insert({
      rate_plan_id: row!.id, effective_from: new Date(fields.at.getTime() - 86_400_000), connection_cost: '0', grace_seconds: 0, cost_per_minute: '0.01',
      initial_increment: 60, increment: 6, created_by: fields.created_by,
    });
  }
  return row!.id;
}

export async function makeBillingRun(db: Knex, at: Date): Promise<number> {
  const [row] = (await db('billing_runs').insert({ trigger: 'command', clock_at: at, started_at: at, finished_at: at, status: 'finished' }).returning('id')) as Array<{ id: number }>;
  return row!.id;
}

export async function makeRejectedCdr(db: Knex, fields: { uuid: string; at: Date }): Promise<number> {
  const [row] = (await db('rejected_cdrs').insert({ source: 'api', uuid: fields.uuid, reason: 'unknown number', payload: '{}', received_at: fields.at }).returning('id')) as Array<{ id: number }>;
  return row!.id;
}

export async function makeDidImport(db: Knex, fields: { created_by: number; at: Date }): Promise<number> {
  const [row] = (await db('did_imports').insert({ created_by: fields.created_by, filename: 'test.csv', content: 'number,country\n+14155559999,US\n', created_at: fields.at }).returning('id')) as Array<{ id: number }>;
  return row!.id;
}

/** A webhook endpoint of `account`, as its owner adds it (a local receiver's URL is allowed in tests). */
export async function makeWebhookEndpoint(db: Knex, account: Pick<AccountRow, 'id'>, fields: { url: string; events?: string[]; description?: string }) {
  const { createWebhookEndpoint } = await import('../../src/services/webhooks.ts');
  return createWebhookEndpoint(db, account.id, { url: fields.url, events: fields.events ?? ['number.purchased'], description: fields.description ?? '' }, { allowHttp: true, actorId: account.id, now: new Date() });
}

/** Stripe keys for the operator (resellerId null) or a reseller, stored as the settings page does. */
export async function makeStripeSettings(
  db: Knex,
  config: Pick<Config, 'sessionSecret' | 'stripeApi'>,
  resellerId: number | null,
  keys: { secretKey?: string; webhookSecret?: string } = {},
): Promise<{ secretKey: string; webhookSecret: string }> {
  const secretKey = keys.secretKey ?? `sk_test_${resellerId ?? 'operator'}${next().replace(/\W/g, '')}abcdefgh`;
  const webhookSecret = keys.webhookSecret ?? `whsec_${resellerId ?? 'operator'}${next().replace(/\W/g, '')}abcdefgh`;
  await updateStripeSettings(db, config, resellerId, { secretKey, webhookSecret, publishableKey: '', clear: false }, new Date());
  return { secretKey, webhookSecret };
}

/** A pending card payment row (as "Add funds" writes before sending to Checkout). */
export async function makePayment(
  db: Knex,
  fields: { account: Pick<AccountRow, 'id'>; amount: string; payeeResellerId?: number | null; kind?: PaymentKind; currency?: string; checkoutSessionId?: string; createdAt?: Date },
): Promise<PaymentRow> {
  const payment = await insertPayment(db, {
    account_id: fields.account.id, payee_reseller_id: fields.payeeResellerId ?? null, kind: fields.kind ?? 'topup',
    amount: toStored(fields.amount), currency: fields.currency ?? 'USD', created_at: fields.createdAt ?? new Date(),
  });
  if (fields.checkoutSessionId) await updatePayment(db, payment.id, { checkout_session_id: fields.checkoutSessionId, updated_at: new Date() });
  return { ...payment, checkout_session_id: fields.checkoutSessionId ?? null };
}

/** A tax rate kept by the admin (through the service, as the Taxes page makes it). */
export async function makeTaxRate(db: Knex, fields: { name?: string; rate?: string; position?: number; compound?: boolean } = {}) {
  const { createTaxRate } = await import('../../src/services/company-profiles.ts');
  return createTaxRate(db, {
    name: fields.name ?? `Tax ${next()}`, rate: fields.rate ?? '20', position: fields.position ?? 1, compound: fields.compound ?? false, active: true,
  }, { actorId: null, now: new Date() });
}

/** A seller's company profile (or a buyer's billing details). */
export async function makeCompanyProfile(db: Knex, account: Pick<AccountRow, 'id'>, fields: Partial<{ legal_name: string; address: string; tax_id: string; invoice_prefix: string; payment_terms_days: number; footer: string }> = {}) {
  const { updateCompanyProfile } = await import('../../src/services/company-profiles.ts');
  await updateCompanyProfile(db, account.id, {
    legal_name: fields.legal_name ?? `Company ${next()} Ltd`, address: fields.address ?? '1 Main Street\nSpringfield', tax_id: fields.tax_id ?? 'GB123456789',
    email: '', invoice_prefix: fields.invoice_prefix ?? 'INV-', payment_terms_days: fields.payment_terms_days ?? 14, footer: fields.footer ?? 'Thank you for your business.',
  }, { actorId: account.id, now: new Date() });
}
