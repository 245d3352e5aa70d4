// Buy DIDs rows as the search shows them: what buying costs now (setup + first period), the
// monthly fee, the location by name; and the options of the search's selects.
import { Money, toStored } from '../../../domain/money.ts';
import { countryName } from '../../../domain/phone-numbers.ts';
import type { OfferRow } from '../../../db/queries/offers.ts';
import { billingLabel, countrySelect, firstChargeLabel, locationLabel } from '../../presenters/numbers.ts';
import { SORT_OPTIONS } from './schema.ts';

/** What a calendar-month number's first period costs the buyer today (null for the other terms): see firstChargeLabel. */
type FirstCharge = ReturnType<typeof firstChargeLabel>;

export function presentOffer(row: OfferRow, firstCharge?: FirstCharge) {
  const first = firstCharge ? firstCharge(row) : null;
  return {
    ...row,
    // Setup + the first period as a purchase now would charge it: a calendar month's prorated part.
    cost_now: toStored(new Money(row.setup_fee).plus(first ? first.amount : row.monthly_fee)),
    first_charge: first,
    country_name: countryName(row.country),
    billing: billingLabel(row).replace(', every ', ', '),
    region: [row.city, row.province].filter((part) => part).join(', '),
    location: locationLabel(row),
  };
}

export const BILLING_OPTIONS = [
  { value: '', label: 'Any billing' },
  { value: 'recurring', label: 'Recurring' },
  { value: 'one_time', label: 'One time' },
];

export { SORT_OPTIONS, countrySelect };

/** The `th` of a sortable column: its aria-sort and the link that sorts by it. */
export function sortHeader(current: string, ascending: string, descending?: string) {
  const state = current === ascending ? 'ascending' : current === descending ? 'descending' : 'none';
  const next = state === 'ascending' && descending ? descending : ascending;
  return { state, next };
}
