// Composes a mail: whose brand it carries (the operator's, or the reseller's for its customers),
// which template applies (the owner's override, else the default), rendered with the event's
// variables. An override that fails to render is flagged and the default is sent: never a broken mail.
import { findSellerName } from '../db/repos/company-profiles.ts';
import type { Db } from '../db/knex.ts';
import { findAccountById, type AccountRow } from '../db/repos/accounts.ts';
import { findMailSenderName, findMailTemplateOverride, flagMailTemplateBroken, type MailTemplateRow } from '../db/repos/mail-templates.ts';
import { MAIL_EVENTS, type MailEventType } from '../domain/mail-events.ts';
import { renderMail, singleLine, type MailContent } from '../domain/mail-render.ts';
import { mailVariables, type MailFormat } from '../domain/mail-variables.ts';

export interface MailSettings {
  currency: string;
  moneyDecimals: number;
  mailFrom: { name: string; address: string };
}

export interface MailBrand {
  /** Whose templates apply: null for the operator, else the reseller's account id. */
  ownerId: number | null;
  name: string;
}

export interface ComposedMail extends MailContent {
  from: { name: string; address: string };
  /** 'override' when the owner's template was used, 'default' otherwise. */
  template: 'override' | 'default';
}

/** The brand of a reseller (its sender name, else its company's legal name, else its account name), or of the operator. */
export async function brandOfOwner(db: Db, ownerId: number | null, settings: Pick<MailSettings, 'mailFrom'>): Promise<MailBrand> {
  if (ownerId === null) return { ownerId: null, name: settings.mailFrom.name };
  const owner = await findAccountById(db, ownerId);
  return owner ? brandOfReseller(db, owner) : { ownerId, name: singleLine(settings.mailFrom.name) };
}

async function brandOfReseller(db: Db, owner: AccountRow): Promise<MailBrand> {
  return { ownerId: owner.id, name: singleLine((await findMailSenderName(db, owner.id)) ?? (await findSellerName(db, owner))) };
}

/** A reseller's customers hear from the reseller; every other account from the operator. */
export async function brandForAccount(db: Db, account: Pick<AccountRow, 'parent_id'>, settings: Pick<MailSettings, 'mailFrom'>): Promise<MailBrand> {
  if (account.parent_id !== null) {
    const parent = await findAccountById(db, account.parent_id);
    if (parent?.role === 'reseller') return brandOfReseller(db, parent);
  }
  return brandOfOwner(db, null, settings);
}

/** Renders `override` when it renders, else the default; a failing override is flagged. */
export async function renderWithFallback(
  db: Db,
  type: MailEventType,
  override: MailTemplateRow | undefined,
  variables: Record<string, string>,
  now: Date,
): Promise<MailContent & { template: 'override' | 'default' }> {
  if (override && !override.broken_at) {
    try {
      return { ...renderMail(override, variables), template: 'override' };
    } catch (error) {
      await flagMailTemplateBroken(db, override.id, error instanceof Error ? error.message : String(error), now);
    }
  }
  return { ...renderMail(MAIL_EVENTS[type].defaults, variables), template: 'default' };
}

/** Brands and overrides read once per batch of events (a billing run brings thousands). */
export interface MailLookups {
  brands: Map<number | null, MailBrand>;
  overrides: Map<string, MailTemplateRow | undefined>;
}

export const newMailLookups = (): MailLookups => ({ brands: new Map(), overrides: new Map() });

export async function composeMail(
  db: Db,
  input: { type: MailEventType; account: AccountRow; data: Record<string, unknown> },
  settings: MailSettings,
  now: Date,
  lookups: MailLookups = newMailLookups(),
): Promise<ComposedMail> {
  let brand = lookups.brands.get(input.account.parent_id);
  if (!brand) {
    brand = await brandForAccount(db, input.account, settings);
    lookups.brands.set(input.account.parent_id, brand);
  }
  const format: MailFormat = { currency: settings.currency, decimals: settings.moneyDecimals };
  const variables = mailVariables(input.type, input.data, { account: { name: input.account.name, email: input.account.email }, brandName: brand.name, format });
  const key = `${brand.ownerId ?? 0}:${input.type}`;
  if (!lookups.overrides.has(key)) lookups.overrides.set(key, await findMailTemplateOverride(db, brand.ownerId, input.type));
  const override = lookups.overrides.get(key);
  const rendered = await renderWithFallback(db, input.type, override, variables, now);
  // A broken override is flagged once and skipped for the rest of the batch.
  if (rendered.template === 'default' && override) lookups.overrides.set(key, undefined);
  return { ...rendered, from: { name: singleLine(brand.name), address: settings.mailFrom.address } };
}
