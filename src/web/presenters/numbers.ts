// Number rows as the buy, My DIDs and My numbers pages show them: country names, billing and
// per-minute terms in words, margins. Money stays a decimal string for format.money.
import { startTerm, type BillingPeriod } from '../../domain/billing-calendar.ts';
import { byCountryName, countryName } from '../../domain/phone-numbers.ts';
import type { PriceTerms } from '../../domain/sell-terms.ts';
import { marginOf } from '../../domain/sell-terms.ts';
import { sumMoney, toPlain } from '../../domain/money.ts';
import type { HeldRow } from '../../db/repos/did-listings.ts';
import { buyTermsOf, sellTermsOf } from '../../services/did-holdings.ts';

export function countryLabel(code: string | null | undefined): string {
  return countryName(code);
}

export function locationLabel(row: { country: string | null; province: string | null; city: string | null }): string {
  return [row.city, row.province, countryLabel(row.country)].filter((part) => part).join(', ');
}

export function billingLabel(row: { billing_type: 'one_time' | 'recurring'; billing_days: number; billing_period?: BillingPeriod; billing_day?: number | null }): string {
  if (row.billing_type === 'recurring' && row.billing_period === 'month') {
    return row.billing_day ? `Recurring, monthly on day ${row.billing_day}` : 'Recurring, calendar month';
  }
  if (row.billing_type === 'recurring' && row.billing_period === 'year') return 'Recurring, annual';
  if (row.billing_type === 'recurring') return `Recurring, every ${row.billing_days} day${row.billing_days === 1 ? '' : 's'}`;
  return row.billing_days === 0 ? 'One-time, no end' : `One-time, held ${row.billing_days} days`;
}

/**
 * For the offers list: what buying a calendar-month number charges today for its first period
 * (prorated to the buyer's billing day), or null for the other terms, whose first charge is the price.
 */
export function firstChargeLabel(billingDay: number, now: Date, pricing: { decimals: number; prorateFirstPeriod?: boolean | undefined }) {
  return (row: { billing_type: 'one_time' | 'recurring'; billing_days: number; billing_period: BillingPeriod; monthly_fee: string }) => {
    if (row.billing_type !== 'recurring' || row.billing_period !== 'month') return null;
    const first = startTerm(row, row.monthly_fee, billingDay, now, { prorate: pricing.prorateFirstPeriod ?? true, decimals: pricing.decimals });
    return { amount: first.amount, days: first.proration!.days, daysInPeriod: first.proration!.daysInPeriod, prorated: first.proration!.prorated };
  };
}

/** The confirmation's name for the first charge: "First period, to 15 Dec 2026 (26 of 30 days, prorated)", "First year", "One-time fee". */
export function firstPeriodLabel(
  quote: { product: { billing_type: 'one_time' | 'recurring'; billing_period: BillingPeriod; billing_days: number }; proration?: { prorated: boolean; days: number; daysInPeriod: number } | null | undefined; nextBillingAt: Date | null },
  formatDate: (value: Date | null) => string,
): string {
  const { product, proration } = quote;
  if (product.billing_type !== 'recurring') return 'One-time fee';
  if (proration) return `First period, to ${formatDate(quote.nextBillingAt)} (${proration.prorated ? `${proration.days} of ${proration.daysInPeriod} days, prorated` : 'a full month'})`;
  return product.billing_period === 'year' ? 'First year' : `First period (${product.billing_days} days)`;
}

/** A stored rate without its noise: "0.008500" -> "0.0085", keeping at least 4 places. */
export function rate(stored: string | null | undefined): string {
  if (stored === null || stored === undefined) return '';
  const [whole, fraction = ''] = stored.split('.');
  return `${whole}.${fraction.replace(/0+$/, '').padEnd(4, '0')}`;
}

export function incrementsLabel(terms: Pick<PriceTerms, 'initial_increment' | 'increment' | 'grace_seconds'>): string {
  return `first ${terms.initial_increment}s, then ${terms.increment}s; grace ${terms.grace_seconds}s`;
}

/** A country select over these ISO codes, by name in name order (Buy DIDs, My DIDs). */
export function countrySelect(codes: string[]): Array<{ value: string; label: string }> {
  return [{ value: '', label: 'Any country' }, ...byCountryName(codes).map((code) => ({ value: code, label: countryLabel(code) }))];
}

export function presentHeld(row: HeldRow) {
  const buy = buyTermsOf(row);
  const sell = sellTermsOf(row);
  return { ...row, buy, sell, margin: sell ? marginOf(buy, sell) : undefined, location: locationLabel(row) };
}

export type PresentedHeld = ReturnType<typeof presentHeld>;

/** The end of a release's flash message: what was credited for the unused days, or that nothing was refunded. */
export function releaseCreditNote(credits: Array<{ amount: string }>, decimals: number): string {
  if (credits.length === 0) return 'Nothing was refunded.';
  return `${toPlain(sumMoney(credits.map((credit) => credit.amount)), decimals)} was credited for the unused days of the period.`;
}
