// DID rows and audit rows as the admin's pages show them: formatted numbers, holder names,
// country names, and the changes an audit row records.
import { DID_FIELDS, countryName, formatDidNumber } from '../../domain/did-terms.ts';
import type { DidListRow } from '../../db/repos/dids.ts';
import type { AuditRow } from '../../db/queries/audit-trail.ts';

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
    display_number: formatDidNumber(row.number),
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

export interface AuditChange {
  field: string;
  before: string;
  after: string;
}

/** The fields an audit row changed (every field, for a creation), labelled as on the form. */
export function presentAudit(row: AuditRow) {
  const before = row.before ?? {};
  const after = row.after ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changes: AuditChange[] = [];
  for (const key of keys) {
    const was = show(before[key]);
    const now = show(after[key]);
    if (row.before && row.after && was === now) continue;
    if (!row.before && now === '—') continue;
    changes.push({ field: LABELS.get(key) ?? key, before: row.before ? was : '', after: row.after ? now : '' });
  }
  return { ...row, label: ACTIONS[row.action] ?? row.action, changes };
}
