// Stripe counts money in the currency's smallest unit (cents for USD, yen for JPY): an integer.
// These convert between that and our decimal strings, exactly, and refuse an amount that the
// currency cannot express (USD 10.005). Lists from Stripe's documentation, "Zero-decimal currencies"
// and "Three-decimal currencies".
import { Money, toStored } from './money.ts';

const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** Decimal places of the currency's smallest unit, as Stripe counts it. */
export function currencyDecimals(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** 12.34 USD → 1234; undefined when the amount has more places than the currency. */
export function toMinorUnits(amount: string, currency: string): number | undefined {
  const minor = new Money(amount).times(new Money(10).pow(currencyDecimals(currency)));
  return minor.isInteger() ? minor.toNumber() : undefined;
}

/** 1234 (USD) → '12.340000', the stored form. */
export function fromMinorUnits(minor: number, currency: string): string {
  return toStored(new Money(minor).div(new Money(10).pow(currencyDecimals(currency))));
}
