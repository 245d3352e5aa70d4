// Rate terms and the other inputs of rating, validated with errors that name the field (a form
// shows the message beside it). Pure code, no Node-only APIs: the browser cost preview bundles it.
import { Decimal } from 'decimal.js';
import { MAX_DECIMALS, MoneyFormatError, parseMoney } from './money.ts';

/** Rate terms as stored or typed: amounts as decimal strings (or Decimal), seconds as integers. */
export interface RateTerms {
  connectionCost: string | Decimal;
  perMinute: string | Decimal;
  graceSeconds: number;
  initialIncrement: number;
  increment: number;
}

/** Validated terms: amounts parsed into Decimal. */
export interface ParsedRateTerms extends RateTerms {
  connectionCost: Decimal;
  perMinute: Decimal;
}

export type RateTermField = keyof RateTerms;
export type RatingField = RateTermField | 'duration' | 'decimals' | 'funds' | 'cap';

/** Bad input to rating; `field` names the offending input so a form can show the message beside it. */
export class RatingInputError extends Error {
  readonly field: RatingField;
  /** The message without the field name, for callers that name the field their own way. */
  readonly detail: string;
  constructor(field: RatingField, detail: string) {
    super(`${field}: ${detail}`);
    this.name = 'RatingInputError';
    this.field = field;
    this.detail = detail;
  }
}

/**
 * The longest duration or second-valued term accepted: about 31 years. Far above any real call, and
 * low enough that every count of seconds, and billed seconds, stays a safe integer.
 */
export const MAX_SECONDS = 1_000_000_000;

const WHOLE_NUMBER = /^\d+$/;

export function parseSeconds(field: RatingField, value: unknown): number {
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string' && WHOLE_NUMBER.test(value.trim())) {
    seconds = Number(value.trim());
  } else if (typeof value === 'string' && /^\s*-/.test(value)) {
    throw new RatingInputError(field, `must not be negative, got "${value}"`);
  } else {
    throw new RatingInputError(field, `must be a whole number of seconds, got ${describeValue(value)}`);
  }
  if (Number.isNaN(seconds) || !Number.isFinite(seconds)) {
    throw new RatingInputError(field, `must be a whole number of seconds, got ${describeValue(value)}`);
  }
  if (seconds < 0) throw new RatingInputError(field, `must not be negative, got ${seconds}`);
  if (!Number.isInteger(seconds)) {
    throw new RatingInputError(field, `must be a whole number of seconds, got ${seconds}`);
  }
  if (seconds > MAX_SECONDS) throw new RatingInputError(field, `must be at most ${MAX_SECONDS} seconds, got ${seconds}`);
  return seconds;
}

export function parseAmount(field: RatingField, value: unknown, options: { allowNegative: boolean }): Decimal {
  if (typeof value === 'number') {
    throw new RatingInputError(field, `give amounts as decimal strings (like "0.10"), not numbers: got ${value}`);
  }
  if (!(typeof value === 'string' || value instanceof Decimal)) {
    throw new RatingInputError(field, `must be an amount like 0.10, got ${describeValue(value)}`);
  }
  let amount: Decimal;
  try {
    amount = parseMoney(value);
  } catch (error) {
    if (error instanceof MoneyFormatError) throw new RatingInputError(field, error.message);
    throw error;
  }
  if (!amount.isFinite()) throw new RatingInputError(field, `must be an amount like 0.10, got ${String(value)}`);
  if (!options.allowNegative && amount.isNegative() && !amount.isZero()) {
    throw new RatingInputError(field, `must not be negative, got ${String(value)}`);
  }
  return amount;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value}"`;
  return String(value);
}

/** Validates raw terms (a form, a CSV row, JSON): clear errors naming the field, never a guess. */
export function parseRateTerms(raw: Partial<Record<RateTermField, unknown>>): ParsedRateTerms {
  return {
    connectionCost: parseAmount('connectionCost', raw.connectionCost, { allowNegative: false }),
    perMinute: parseAmount('perMinute', raw.perMinute, { allowNegative: false }),
    graceSeconds: parseSeconds('graceSeconds', raw.graceSeconds),
    initialIncrement: parseSeconds('initialIncrement', raw.initialIncrement),
    increment: parseSeconds('increment', raw.increment),
  };
}

export function parseDecimals(decimals: unknown): number {
  if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new RatingInputError('decimals', `must be a whole number from 0 to ${MAX_DECIMALS}, got ${describeValue(decimals)}`);
  }
  return decimals;
}

export function parseDuration(duration: unknown): number {
  return parseSeconds('duration', duration);
}
