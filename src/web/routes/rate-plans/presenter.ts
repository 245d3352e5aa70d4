// Rate plans as their pages show them: the form's labels and first values, a version in a line.
import type { Config } from '../../../config.ts';
import { DID_FIELDS, RATE_TERM_FIELDS } from '../../../domain/did-terms.ts';
import { formatMoney } from '../../../domain/money.ts';
import { MARKUP_FIELDS, describeMarkup, type PlanKind } from '../../../domain/rate-plans.ts';
import type { RatePlanListRow, RatePlanVersionRow } from '../../../db/repos/rate-plans.ts';
import type { Role } from '../../../db/repos/accounts.ts';
import { markupOfVersion, termsOfVersion } from '../../../services/rate-plans.ts';

/** Labels and help of the plan form: the DID form's for the terms, so both read alike. */
export const FIELD_INFO: Record<string, { label: string; help: string }> = {
  ...Object.fromEntries(DID_FIELDS.map((field) => [field.name, { label: field.label, help: field.help }])),
  name: { label: 'Name', help: 'How the plan is chosen in forms and CSV files, e.g. “US local”.' },
  description: { label: 'Description', help: 'What the plan is for; shown in the list.' },
  connection_markup_percent: { label: 'Connection Cost markup (%)', help: 'Percentage added to your buy connection cost (negative: a discount).' },
  connection_markup_amount: { label: 'Connection Cost markup (amount)', help: 'Amount added to it after the percentage.' },
  per_minute_markup_percent: { label: 'Cost per minute markup (%)', help: 'Percentage added to your buy cost per minute.' },
  per_minute_markup_amount: { label: 'Cost per minute markup (amount)', help: 'Amount added to it after the percentage.' },
  effective_at: { label: 'Starting at (UTC)', help: 'The new terms apply to calls answered from this moment.' },
};

const DEFAULT_TERMS: Record<string, string> = { connection_cost: '0', grace_seconds: '0', cost_per_minute: '0', initial_increment: '60', increment: '60' };
const DEFAULT_MARKUP: Record<string, string> = { connection_markup_percent: '0', connection_markup_amount: '0', per_minute_markup_percent: '20', per_minute_markup_amount: '0' };

export function newPlanValues(kind: PlanKind): Record<string, string> {
  return { kind, ...(kind === 'markup' ? DEFAULT_MARKUP : DEFAULT_TERMS), effective: 'now' };
}

/** Only a reseller's plans can be a markup over its buy terms. */
export function kindOfNew(role: Role, requested: unknown): PlanKind {
  return role === 'reseller' && requested === 'markup' ? 'markup' : 'absolute';
}

export function versionValues(version: RatePlanVersionRow | undefined): Record<string, string> {
  if (!version) return {};
  const values: Record<string, string> = {};
  for (const field of [...RATE_TERM_FIELDS, ...MARKUP_FIELDS]) {
    const value = version[field as keyof RatePlanVersionRow];
    if (value !== null && value !== undefined) values[field] = String(value);
  }
  return values;
}

/** Per-minute terms keep up to 6 decimals: shown whole, trailing zeros beyond the currency's dropped. */
export function rateMoney(config: Pick<Config, 'currency'>) {
  return (amount: string): string => formatMoney(amount, { currency: config.currency, decimals: 6 }).replace(/0{1,2}$/, '');
}

/** How a version reads in a list: its terms, or its markup. */
export function summarise(version: RatePlanVersionRow | undefined, money: (amount: string) => string): string {
  if (!version) return 'no terms in force yet';
  const terms = termsOfVersion(version);
  if (terms) {
    return `${money(terms.connection_cost)} connection, ${money(terms.cost_per_minute)}/min, ${terms.grace_seconds} s grace, ${terms.initial_increment}/${terms.increment} s`;
  }
  const markup = markupOfVersion(version)!;
  return `connection ${describeMarkup(markup.connection_markup_percent, markup.connection_markup_amount)}, per minute ${describeMarkup(markup.per_minute_markup_percent, markup.per_minute_markup_amount)}`;
}

/** A plan's line in the list: what the list shows, nothing of the row besides. */
export function presentPlanListRow(plan: RatePlanListRow, summary: string, scheduled: number) {
  return {
    id: plan.id, name: plan.name, description: plan.description, kind: plan.kind, archived_at: plan.archived_at,
    number_count: Number(plan.number_count), summary, scheduled,
  };
}
