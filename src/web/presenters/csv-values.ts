// Cells of the CSV exports (issue 19: a CSV keeps raw E.164 numbers and plain decimals): amounts
// as plain decimals at the money decimals, rates exactly as stored (a rate has more places than an
// amount and a spreadsheet should get all of them), times in ISO 8601 UTC, nothing as `null`.
import { toPlain } from '../../domain/money.ts';

export function csvAmount(decimals: number) {
  return (value: string | null | undefined): string => (value === null || value === undefined || value === '' ? '' : toPlain(value, decimals));
}

export function csvText(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

export function csvTime(value: Date | string | null | undefined): string {
  return value ? new Date(value).toISOString() : '';
}

/** A calendar day (a billing period's bound) as YYYY-MM-DD, UTC. */
export function csvDay(value: Date | string | null | undefined): string {
  return value ? new Date(value).toISOString().slice(0, 10) : '';
}
