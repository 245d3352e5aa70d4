// DID rows and audit rows as the admin's pages show them (numbers through format.phone): holder names,
// country names, and the changes an audit row records.
import { DID_FIELDS, countryName } from '../../domain/did-terms.ts';
import type { DidListRow } from '../../db/repos/dids.ts';
import type { AuditNames, AuditRow } from '../../db/queries/audit-trail.ts';

export function holderLabel(row: Pick<DidListRow, 'holder' | 'reseller_name' | 'customer_name'>): string {
  if (row.holder === 'customer') return row.reseller_name ? `${row.customer_name} (customer of ${row.reseller_name})` : `${row.customer_name} (customer)`;
  if (row.holder === 'reseller') return `${row.reseller_name} (reseller)`;
  return 'In stock';
}

/** A stored rate ("0.008500") with its trailing zeros cut, keeping 4 places: "0.0085". */
export function plainRate(stored: string): string {
  const [whole, fraction = ''] = stored.split('.');
  const trimmed = fraction.replace(/0+$/, '').padEnd(4, '0');
  return `${whole}.${trimmed}`;
}

export function presentDid(row: DidListRow) {
  return {
    ...row,
    country_name: countryName(row.country),
    holder_label: holderLabel(row),
    billing_label: row.billing_type === 'one_time' ? 'One time' : row.billing_period === 'month' ? 'Calendar month' : row.billing_period === 'year' ? 'Annual' : 'Recurring',
    rate_label: plainRate(row.cost_per_minute),
  };
}

export type PresentedDid = ReturnType<typeof presentDid>;

const ACTIONS: Record<string, string> = {
  'did.create': 'Created',
  'did.update': 'Terms edited',
  'did.activate': 'Activated',
  'did.deactivate': 'Deactivated',
  'did.delete': 'Deleted',
  'did.archive': 'Archived',
  'did.restore': 'Restored from the archive',
  'did.import': 'Imported from CSV',
  'did.assign': 'Assigned',
  'did.reclaim': 'Reclaimed to stock',
  'did.purchase': 'Bought',
  'did.release': 'Released by its holder',
  'did.unassign': 'Taken back from its customer by the reseller',
  'provider.create': 'Created',
  'provider.update': 'Edited',
};

const LABELS = new Map<string, string>([
  ...DID_FIELDS.map((field) => [field.name, field.label] as [string, string]),
  ['provider_id', 'Provider'],
  ['reseller_id', 'Reseller'],
  ['customer_id', 'Customer'],
  ['archived_at', 'Archived'],
  ['contact_name', 'Contact'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['notes', 'Notes'],
  ['name', 'Name'],
  ['subscription_id', 'Subscription'],
  ['charged', 'Charged'],
  ['ended_subscriptions', 'Subscriptions ended'],
  ['holder_id', 'Holder'],
  ['destination', 'Destination'],
]);

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Amounts the audit rows hold as plain decimals: the page shows them with the currency. */
const MONEY_KEYS = new Set(['buy_cost', 'setup_fee', 'monthly_fee', 'connection_cost', 'cost_per_minute', 'price', 'credit_limit', 'balance']);
const ACCOUNT_KEYS = new Set(['reseller_id', 'customer_id', 'holder_id', 'parent_id', 'account_id']);
const WORDS: Record<string, string> = { recurring: 'Recurring', one_time: 'One time', active: 'Active', inactive: 'Inactive', suspended: 'Suspended', closed: 'Closed', prepaid: 'Prepaid', postpaid: 'Postpaid' };
/** Fields in the order of the DID form, then the others in a fixed order. */
const ORDER = new Map([...DID_FIELDS.map((field) => field.name), 'provider_id', 'reseller_id', 'customer_id', 'holder_id', 'subscription_id'].map((name, index) => [name, index]));

export interface AuditChange {
  field: string;
  before: string;
  after: string;
  /** 'money': before and after are plain decimals for format.money; 'text': ready to show. */
  kind: 'money' | 'text';
}

function showValue(key: string, value: unknown, names: AuditNames | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  if (key === 'provider_id') return names?.providers.get(Number(value)) ?? `Provider #${show(value)}`;
  if (ACCOUNT_KEYS.has(key)) return names?.accounts.get(Number(value)) ?? `Account #${show(value)}`;
  if (key === 'charged' && Array.isArray(value)) return value.map((amount) => String(amount).replace(/^-/, '')).join(' + ');
  if (typeof value === 'string' && WORDS[value]) return WORDS[value];
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return show(value);
}

/** The fields an audit row changed (every field, for a creation), labelled as on the form, names for ids, in the form's order. */
export function presentAudit(row: AuditRow, names?: AuditNames) {
  const before = row.before ?? {};
  const after = row.after ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(
    (a, b) => (ORDER.get(a) ?? 1000) - (ORDER.get(b) ?? 1000) || a.localeCompare(b),
  );
  const changes: AuditChange[] = [];
  for (const key of keys) {
    const was = showValue(key, before[key], names);
    const now = showValue(key, after[key], names);
    if (row.before && row.after && show(before[key]) === show(after[key])) continue;
    if (!row.before && now === '—') continue;
    const kind = MONEY_KEYS.has(key) && [before[key], after[key]].every((v) => v === undefined || v === null || /^-?\d+(\.\d+)?$/.test(String(v))) ? 'money' : 'text';
    changes.push({ field: LABELS.get(key) ?? key, before: row.before ? was : '', after: row.after ? now : '', kind });
  }
  return { ...row, label: ACTIONS[row.action] ?? row.action, changes };
}
