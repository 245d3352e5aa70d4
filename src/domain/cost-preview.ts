// What calls of typical lengths cost under a DID's per-minute terms, with the breakdown: shown
// beside the terms in the DID form, computed by the rating engine itself, on the server after a
// submit and in the browser while the admin types (public/js/cost-preview.js bundles this file).
import { formatMoney } from './money.ts';
import { RatingInputError, compileTerms, rateCall, type RatingBreakdown } from './rating.ts';

export const PREVIEW_DURATIONS = [30, 60, 125, 3600] as const;

export interface PreviewTermsInput {
  connection_cost?: unknown;
  grace_seconds?: unknown;
  cost_per_minute?: unknown;
  initial_increment?: unknown;
  increment?: unknown;
}

export interface PreviewRow {
  durationSeconds: number;
  duration: string;
  billedSeconds: number;
  cost: string;
  breakdown: string;
}

/**
 * A failed preview names the form field that stops it and says no more: the field shows its own
 * message (the form's validation), so one bad value gets one message, not two that disagree.
 */
export type CostPreview = { ok: true; rows: PreviewRow[] } | { ok: false; field: PreviewField; message: string };

export interface PreviewOptions {
  decimals: number;
  currency: string;
}

export type PreviewField = keyof PreviewTermsInput;

/** The rating engine's term names as the form's fields, with the form's labels (DID_FIELDS). */
const FORM_FIELDS: Record<string, { name: PreviewField; label: string }> = {
  connectionCost: { name: 'connection_cost', label: 'Connection Cost' },
  perMinute: { name: 'cost_per_minute', label: 'Cost per minute' },
  graceSeconds: { name: 'grace_seconds', label: 'Grace Time (Sec.)' },
  initialIncrement: { name: 'initial_increment', label: 'Initial Increment' },
  increment: { name: 'increment', label: 'Increment' },
};

export function describeDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** The breakdown as a person reads it: "0.1000 connection + 10 s free + first 60 s 0.6000 + ...". */
export function describeBreakdown(b: RatingBreakdown, money: (amount: string) => string, rate: (amount: string) => string = money): string {
  if (b.durationSeconds < 1) return 'not answered: free';
  const parts = [`${money(b.connectionFee)} connection`];
  if (b.graceSeconds > 0) parts.push(`${b.graceSeconds} s free`);
  if (b.initialBlockSeconds > 0) parts.push(`first ${b.initialBlockSeconds} s ${money(b.initialBlockAmount)}`);
  if (b.increments > 0) parts.push(`${b.increments} × ${b.incrementSeconds} s ${money(b.incrementsAmount)}`);
  return `${parts.join(' + ')}; ${b.billedSeconds} s billed at ${rate(b.perMinute)}/min`;
}

function asText(value: unknown): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

export function previewCosts(input: PreviewTermsInput, options: PreviewOptions): CostPreview {
  const money = (amount: string): string => formatMoney(amount, { currency: options.currency, decimals: options.decimals });
  const perMinuteMoney = (amount: string): string => formatMoney(amount, { currency: options.currency, decimals: 6 }).replace(/0{1,2}$/, '');
  try {
    const terms = compileTerms({
      connectionCost: asText(input.connection_cost),
      perMinute: asText(input.cost_per_minute),
      graceSeconds: asText(input.grace_seconds),
      initialIncrement: asText(input.initial_increment),
      increment: asText(input.increment),
    });
    const rows = PREVIEW_DURATIONS.map((seconds) => {
      const rated = rateCall(terms, seconds, options.decimals);
      const breakdown = describeBreakdown(rated.breakdown, money, perMinuteMoney);
      return { durationSeconds: seconds, duration: describeDuration(seconds), billedSeconds: rated.billedSeconds, cost: money(rated.cost), breakdown };
    });
    return { ok: true, rows };
  } catch (error) {
    // Only the five terms come from the form; any other rating error is ours, not the user's.
    const field = error instanceof RatingInputError ? FORM_FIELDS[error.field] : undefined;
    if (field) return { ok: false, field: field.name, message: `Costs show once ${field.label} is valid.` };
    throw error;
  }
}
