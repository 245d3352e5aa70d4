// What the provider pages show of a provider: its card, never the row itself.
import type { ProviderRow } from '../../../db/repos/providers.ts';

export interface ProviderView {
  id: number;
  name: string;
  contact_name: string;
  email: string;
  phone: string;
  notes: string;
  /** On the list: how many numbers come from it. */
  did_count?: number;
}

export function presentProvider(row: ProviderRow & { did_count?: number | string }): ProviderView {
  return {
    id: row.id,
    name: row.name,
    contact_name: row.contact_name ?? '',
    email: row.email ?? '',
    phone: row.phone ?? '',
    notes: row.notes ?? '',
    ...(row.did_count !== undefined ? { did_count: Number(row.did_count) } : {}),
  };
}
