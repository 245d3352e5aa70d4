// Money is exact: decimal.js everywhere, one rounding rule (HALF_UP, once, at the end).
// See ../shared/BILLING.md. A JavaScript number never holds an amount.
import { Decimal } from 'decimal.js';
import { ValidationError } from '../errors.ts';

/** A Decimal constructor of our own, so no other code can change the global rounding mode. */
export const Money = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Money = Decimal;

export const DEFAULT_DECIMALS = 4;
export const MAX_DECIMALS = 6;
/** Scale of NUMERIC(20,6) columns: what the database stores. */
export const STORED_DECIMALS = 6;

const AMOUNT_PATTERN = /^-?\d{1,14}(\.\d{1,6})?$/;

export class MoneyFormatError extends Error {}

/** The largest amount a NUMERIC(20,6) column holds: 14 digits before the point, 6 after. */
export const MAX_STORED_AMOUNT = '99999999999999.999999';

/**
 * An amount worked out from valid input (a balance after a posting, a price after a markup)
 * that NUMERIC(20,6) cannot hold: bad input like any other (a 400), its message at the form
 * field whose value brought it there.
 */
export class AmountOutOfRangeError extends ValidationError {
  constructor(message: string, field?: string) {
    super(message, field ? { [field]: message } : {});
  }
}

/** Whether the amount, rounded to the stored 6 decimals, fits NUMERIC(20,6). */
export function fitsStored(amount: Decimal.Value): boolean {
  return new Money(amount).toDecimalPlaces(STORED_DECIMALS, Decimal.ROUND_HALF_UP).abs().lte(MAX_STORED_AMOUNT);
}

/** toStored, refusing (AmountOutOfRangeError, naming `field`) an amount the column cannot hold. */
export function toStoredChecked(amount: Decimal.Value, what: string, field?: string): string {
  if (!fitsStored(amount)) {
    throw new AmountOutOfRangeError(`${what} would be ${new Money(amount).toFixed(STORED_DECIMALS)}, more than the largest amount didhub stores (${MAX_STORED_AMOUNT})`, field);
  }
  return toStored(amount);
}

/**
 * Parses a plain decimal string ("12", "0.104", "-3.5") as typed in a form or found in CSV.
 * Thousands separators, exponents and more than 6 decimals are refused rather than guessed at.
 */
export function parseMoney(input: string | number | Decimal): Decimal {
  if (input instanceof Decimal) return new Money(input);
  const text = typeof input === 'number' ? String(input) : input.trim();
  if (!AMOUNT_PATTERN.test(text)) {
    throw new MoneyFormatError(`"${String(input)}" is not an amount: use digits with at most 6 decimals, like 12.50`);
  }
  return new Money(text);
}

export function isMoneyText(input: string): boolean {
  return AMOUNT_PATTERN.test(input.trim());
}

export function assertDecimals(decimals: number): number {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new RangeError(`decimals must be a whole number from 0 to ${MAX_DECIMALS}, got ${decimals}`);
  }
  return decimals;
}

/** The one rounding rule: HALF_UP to `decimals` places. */
export function roundMoney(amount: Decimal.Value, decimals: number): Decimal {
  return new Money(amount).toDecimalPlaces(assertDecimals(decimals), Decimal.ROUND_HALF_UP);
}

/** Plain decimal string with exactly `decimals` places, for CSV, JSON and the wire. */
export function toPlain(amount: Decimal.Value, decimals: number): string {
  return roundMoney(amount, decimals).toFixed(decimals);
}

/** The database's representation (NUMERIC(20,6)); pg hands these back as strings. */
export function toStored(amount: Decimal.Value): string {
  return new Money(amount).toFixed(STORED_DECIMALS);
}

export function sumMoney(amounts: Iterable<Decimal.Value>): Decimal {
  let total = new Money(0);
  for (const amount of amounts) total = total.plus(amount);
  return total;
}

/**
 * For pages only: currency symbol and thousands grouping. Intl formats the decimal string
 * itself (not a float), so large amounts stay exact.
 */
export function formatMoney(
  amount: Decimal.Value,
  options: { decimals: number; currency?: string; locale?: string },
): string {
  const decimals = options.decimals;
  const plain = toPlain(amount, decimals);
  const format = new Intl.NumberFormat(options.locale ?? 'en-US', {
    style: 'currency',
    currency: options.currency ?? 'USD',
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  // Intl accepts exact decimal strings at run time; its typings only list number | bigint.
  return format.format(plain as unknown as number);
}
