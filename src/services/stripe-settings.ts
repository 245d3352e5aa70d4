// Whose Stripe account an account pays, and that account's keys. Resellers and the admin's direct
// customers pay the operator; a reseller's customers pay the reseller, when it has entered its own
// Stripe keys, and cannot pay online otherwise (their page names whom to contact).
import Stripe from 'stripe';
import type { Config } from '../config.ts';
import type { Db } from '../db/knex.ts';
import { findAccountById, type AccountRow } from '../db/repos/accounts.ts';
import { findStripeSettings, saveStripeSettings, type StripeSettingsChange } from '../db/repos/stripe-settings.ts';
import { ValidationError } from '../errors.ts';
import { openSecret, sealSecret } from './secret-box.ts';

export interface StripeKeys {
  secretKey: string;
  webhookSecret: string | undefined;
  publishableKey: string | null;
}

export interface Payee {
  /** null: the operator. */
  resellerId: number | null;
  /** Who to contact when online payment is off. */
  name: string;
  email: string;
  keys: StripeKeys | undefined;
}

export type StripeSettingsConfig = Pick<Config, 'sessionSecret' | 'stripeApi'>;

/** The payee's keys, opened; undefined when no usable secret key is stored. */
export async function loadStripeKeys(db: Db, config: StripeSettingsConfig, resellerId: number | null): Promise<StripeKeys | undefined> {
  const row = await findStripeSettings(db, resellerId);
  const secretKey = row?.secret_key_sealed ? openSecret(row.secret_key_sealed, config.sessionSecret) : undefined;
  if (!row || !secretKey) return undefined;
  const webhookSecret = row.webhook_secret_sealed ? openSecret(row.webhook_secret_sealed, config.sessionSecret) : undefined;
  return { secretKey, webhookSecret, publishableKey: row.publishable_key };
}

/** Whom the account pays when it adds funds. */
export async function payeeOf(db: Db, config: StripeSettingsConfig, account: Pick<AccountRow, 'role' | 'parent_id'>): Promise<Payee> {
  const parent = account.parent_id === null ? undefined : await findAccountById(db, account.parent_id);
  const resellerId = account.role === 'customer' && parent?.role === 'reseller' ? parent.id : null;
  return {
    resellerId,
    name: parent?.name ?? 'the operator',
    email: parent?.email ?? '',
    keys: await loadStripeKeys(db, config, resellerId),
  };
}

/** The official client, pointed at STRIPE_API_HOST/PORT/PROTOCOL when set (tests, development). */
export function stripeClient(config: StripeSettingsConfig, keys: StripeKeys): Stripe {
  return new Stripe(keys.secretKey, { ...config.stripeApi, maxNetworkRetries: 1 });
}

export interface StripeSettingsView {
  secretKey: string | undefined;
  webhookSecret: string | undefined;
  publishableKey: string | null;
  updatedAt: Date | undefined;
}

/** What the settings page shows: never a secret, only "set, ending in …". */
export async function describeStripeSettings(db: Db, resellerId: number | null): Promise<StripeSettingsView> {
  const row = await findStripeSettings(db, resellerId);
  return {
    secretKey: row?.secret_key_last4 ?? undefined,
    webhookSecret: row?.webhook_secret_last4 ?? undefined,
    publishableKey: row?.publishable_key ?? null,
    updatedAt: row?.updated_at,
  };
}

export interface StripeSettingsInput {
  /** Empty: keep the stored one. */
  secretKey: string;
  webhookSecret: string;
  publishableKey: string;
  /** Forget all the keys (online payments off). */
  clear: boolean;
}

const last4 = (secret: string) => secret.slice(-4);

export async function updateStripeSettings(db: Db, config: StripeSettingsConfig, resellerId: number | null, input: StripeSettingsInput, now: Date): Promise<void> {
  if (input.clear) {
    await saveStripeSettings(db, resellerId, {
      secret_key_sealed: null, secret_key_last4: null, webhook_secret_sealed: null, webhook_secret_last4: null, publishable_key: null,
    }, now);
    return;
  }
  const errors: Record<string, string> = {};
  if (input.secretKey && !/^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/.test(input.secretKey)) errors.secret_key = 'A secret key starts with sk_test_, sk_live_ (or a restricted rk_…)';
  if (input.webhookSecret && !/^whsec_[A-Za-z0-9]{8,}$/.test(input.webhookSecret)) errors.webhook_secret = 'A webhook signing secret starts with whsec_';
  if (input.publishableKey && !/^pk_(test|live)_[A-Za-z0-9]{8,}$/.test(input.publishableKey)) errors.publishable_key = 'A publishable key starts with pk_test_ or pk_live_';
  if (Object.keys(errors).length > 0) throw new ValidationError(Object.values(errors)[0]!, errors);
  const change: StripeSettingsChange = input.publishableKey ? { publishable_key: input.publishableKey } : {};
  if (input.secretKey) Object.assign(change, { secret_key_sealed: sealSecret(input.secretKey, config.sessionSecret), secret_key_last4: last4(input.secretKey) });
  if (input.webhookSecret) Object.assign(change, { webhook_secret_sealed: sealSecret(input.webhookSecret, config.sessionSecret), webhook_secret_last4: last4(input.webhookSecret) });
  await saveStripeSettings(db, resellerId, change, now);
}
