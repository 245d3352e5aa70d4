// What the admin's DID pages show beyond a presented row: the form's values and labels, and the
// list's links that keep its filters.
import { DID_FIELDS, storedDidInput } from '../../../domain/did-terms.ts';
import type { DidListRow } from '../../../db/repos/dids.ts';
import { hrefWith } from '../../presenters/page-links.ts';
import type { ListQuery } from './schema.ts';

export const DEFAULT_FORM_VALUES: Record<string, string> = {
  category: 'did', status: 'active', buy_cost: '0', connection_cost: '0', grace_seconds: '0', cost_per_minute: '0',
  initial_increment: '60', increment: '60', setup_fee: '0', monthly_fee: '0', call_timeout: '30', billing_type: 'recurring',
  billing_days: '30', billing_period: 'days', concurrent_calls: '0',
};

export function fieldInfo(): Record<string, { label: string; help: string }> {
  return Object.fromEntries(DID_FIELDS.map((field) => [field.name, { label: field.label, help: field.help }]));
}

/** A stored number as the edit form's values. */
export function didFormValues(did: DidListRow): Record<string, string> {
  const values: Record<string, string> = { category: 'did' };
  for (const [name, value] of Object.entries(storedDidInput(did))) values[name] = String(value);
  values.rate_plan = did.rate_plan_id ? String(did.rate_plan_id) : '';
  return values;
}

/** The query string of the list with some values changed: for sort links and pages. */
export function listHref(query: ListQuery, changes: Record<string, string | number | undefined>, path = '/admin/dids'): string {
  return hrefWith(path, query, changes);
}

/** The list's filters as the filter form shows them. */
export function listValues(query: ListQuery): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([key, value]) => [key, value === undefined ? '' : String(value)]));
}
