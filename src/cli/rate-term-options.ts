// Options shared by `didhub rate` and `didhub max-duration`: the rate terms and the decimals.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_DECIMALS } from '../domain/money.ts';
import { RatingInputError, parseRateTerms, type ParsedRateTerms, type RatingField } from '../domain/rating.ts';
import { UsageError } from './command.ts';

export const RATE_TERM_OPTIONS = {
  'connection-cost': { type: 'string' },
  grace: { type: 'string' },
  'per-minute': { type: 'string' },
  'initial-increment': { type: 'string' },
  increment: { type: 'string' },
  decimals: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const RATE_TERMS_USAGE = `Rate terms (BILLING.md "Rating a call"), all required:
  --connection-cost AMOUNT     charged once per answered call, e.g. 0.10
  --grace SECONDS              free seconds at the start of a call
  --per-minute AMOUNT          cost per minute, e.g. 0.60
  --initial-increment SECONDS  first block, charged whole once the grace time is over (0: none)
  --increment SECONDS          later blocks, each charged whole (0 counts as 1)
Amounts are plain decimals with at most 6 decimals.
  --decimals N                 decimal places of the cost, 0..6 (default ${DEFAULT_DECIMALS}), rounded HALF_UP once`;

const OPTION_OF_FIELD: Record<RatingField, string> = {
  connectionCost: '--connection-cost',
  graceSeconds: '--grace',
  perMinute: '--per-minute',
  initialIncrement: '--initial-increment',
  increment: '--increment',
  duration: '--duration',
  decimals: '--decimals',
  funds: '--funds',
  cap: '--cap',
};

/** node:util parseArgs, with its errors turned into UsageError. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs `work`, reporting a RatingInputError as a usage error that names the command-line option. */
export function withOptionNames<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RatingInputError) throw new UsageError(`${OPTION_OF_FIELD[error.field]} ${error.detail}`);
    throw error;
  }
}

export function requireOption(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function termsFromOptions(values: Record<string, unknown>): ParsedRateTerms {
  const raw = {
    connectionCost: requireOption(values, 'connection-cost'),
    graceSeconds: requireOption(values, 'grace'),
    perMinute: requireOption(values, 'per-minute'),
    initialIncrement: requireOption(values, 'initial-increment'),
    increment: requireOption(values, 'increment'),
  };
  return withOptionNames(() => parseRateTerms(raw));
}

/** A whole number given on the command line; the domain checks its range. */
export function integerOption(values: Record<string, unknown>, name: string, fallback?: number): number {
  const value = values[name];
  if (value === undefined && fallback !== undefined) return fallback;
  const text = requireOption(values, name);
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  return Number(text.trim());
}
