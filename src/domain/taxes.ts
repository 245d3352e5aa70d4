// Taxes of an invoice (BILLING.md "Calendar billing, proration and taxes"): prices are
// tax-exclusive; each tax is `rate x taxable amount of the invoice's lines`, rounded HALF_UP once
// per tax per invoice; a compound tax applies to the amount plus the (rounded) taxes before it in
// order. Pure: no database, no clock.
import { Money, roundMoney } from './money.ts';

export interface TaxRate {
  name: string;
  /** Percent as a decimal string: "20" is 20 %. */
  rate: string;
  /** Order of application: lower first (ties keep the given order). */
  position: number;
  compound: boolean;
}

export interface TaxAmount {
  name: string;
  rate: string;
  compound: boolean;
  /** What the rate applied to. */
  base: string;
  amount: string;
}

export interface TaxResult {
  taxes: TaxAmount[];
  taxTotal: string;
}

/**
 * The taxes of an invoice whose taxable lines sum to `taxable`. Nothing is taxed when the account
 * is exempt or the taxable amount is not positive (an invoice of credits only).
 */
export function computeTaxes(taxable: string, rates: TaxRate[], options: { decimals: number; exempt?: boolean }): TaxResult {
  const base = new Money(taxable);
  if (options.exempt || rates.length === 0 || base.lessThanOrEqualTo(0)) return { taxes: [], taxTotal: roundMoney(0, options.decimals).toFixed(options.decimals) };
  const ordered = rates.map((rate, index) => ({ rate, index })).sort((a, b) => a.rate.position - b.rate.position || a.index - b.index);
  const taxes: TaxAmount[] = [];
  let before = new Money(0);
  for (const { rate } of ordered) {
    const applied = rate.compound ? base.plus(before) : base;
    const amount = roundMoney(applied.times(rate.rate).dividedBy(100), options.decimals);
    taxes.push({ name: rate.name, rate: new Money(rate.rate).toFixed(), compound: rate.compound, base: applied.toFixed(options.decimals), amount: amount.toFixed(options.decimals) });
    before = before.plus(amount);
  }
  return { taxes, taxTotal: before.toFixed(options.decimals) };
}
