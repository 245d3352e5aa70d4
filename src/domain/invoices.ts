// An invoice made from the ledger rows of its period (pure: rows in, document out). Charges are
// grouped as ASTPP groups them: DID setup fees, DID recurring fees with the period each covers,
// calls summed up per number, manual adjustments; money received is listed apart. Because every
// figure is a sum of ledger rows, an invoice reconciles with the ledger:
//   closing balance = opening balance - subtotal + payments - taxes
//                   = opening balance + (the period's ledger rows) + (the invoice's tax rows).
import { boundaryIn } from './billing-calendar.ts';
import { Money } from './money.ts';
import { computeTaxes, type TaxAmount, type TaxRate } from './taxes.ts';

const DAY_MS = 86_400_000;

export type LineGroup = 'setup_fees' | 'recurring_fees' | 'calls' | 'adjustments';

export const LINE_GROUP_LABELS: Record<LineGroup, string> = {
  setup_fees: 'DID setup fees',
  recurring_fees: 'DID recurring fees',
  calls: 'Calls',
  adjustments: 'Adjustments',
};

export interface PeriodLedgerRow {
  id: number;
  kind: string;
  /** Signed as in the ledger: a charge is negative. */
  amount: string;
  description: string;
  created_at: Date;
  reference_type: string | null;
  idempotency_key: string;
  /** The DID the row is about (a subscription's or a call's number), when it is about one. */
  number: string | null;
  /** The period the row covers, stored when it was charged (end exclusive); null on rows written before periods were stored. */
  period_start: Date | null;
  period_end: Date | null;
  /** The subscription's billing days: the period of a recurring fee charged before periods were stored. */
  billing_days: number | null;
  /** Seconds billed to this account for a call. */
  billed_seconds: number | null;
}

export interface InvoiceLine {
  group: LineGroup;
  description: string;
  number: string | null;
  /** ISO dates (YYYY-MM-DD) of the period a recurring fee covers; end exclusive. */
  period_start: string | null;
  period_end: string | null;
  /** Calls only. */
  calls: number | null;
  minutes: string | null;
  /** Positive is owed by the customer. */
  amount: string;
}

export interface InvoicePayment {
  date: string;
  description: string;
  amount: string;
}

export interface InvoiceFigures {
  lines: InvoiceLine[];
  payments: InvoicePayment[];
  taxes: TaxAmount[];
  subtotal: string;
  taxTotal: string;
  total: string;
  paymentsTotal: string;
  openingBalance: string;
  closingBalance: string;
}

const CHARGE_GROUPS: Record<string, LineGroup> = { setup_fee: 'setup_fees', recurring_fee: 'recurring_fees', call_charge: 'calls' };

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The period a charge covers: the one stored with its ledger row. A row charged before periods were
 * stored falls back to its renewal key's start (`renewal:<subscription>:<period start>`) plus the
 * subscription's billing days, which is right for day-based terms only.
 */
function chargedPeriod(row: PeriodLedgerRow): { start: string | null; end: string | null } {
  if (row.period_start) return { start: isoDay(row.period_start), end: row.period_end ? isoDay(row.period_end) : null };
  if (row.kind !== 'recurring_fee') return { start: null, end: null };
  const match = /^renewal:\d+:(.+)$/.exec(row.idempotency_key);
  const parsed = match ? new Date(match[1]!) : row.created_at;
  const start = Number.isNaN(parsed.getTime()) ? row.created_at : parsed;
  const days = row.billing_days ?? 0;
  return { start: isoDay(start), end: days > 0 ? isoDay(new Date(start.getTime() + days * DAY_MS)) : null };
}

/**
 * The days a line's period covers, both ends included, for display: a period ending at 00:00 on
 * 1 February covers up to 31 January. Null when the line has no period.
 */
export function coveredDays(line: Pick<InvoiceLine, 'period_start' | 'period_end'>): { from: string; to: string | null } | null {
  if (!line.period_start) return null;
  if (!line.period_end) return { from: line.period_start, to: null };
  const last = isoDay(new Date(Date.parse(`${line.period_end}T00:00:00Z`) - DAY_MS));
  return { from: line.period_start, to: last < line.period_start ? line.period_start : last };
}

/** Money received (positive rows that are not adjustments or refunds) is not a line. */
function isPayment(row: PeriodLedgerRow): boolean {
  if (row.kind === 'payment' || row.kind === 'refill') return true;
  if (row.reference_type === 'credit_note') return true;
  return !(row.kind in CHARGE_GROUPS) && row.kind !== 'adjustment' && row.kind !== 'refund' && new Money(row.amount).greaterThan(0);
}

export function buildInvoiceFigures(
  rows: PeriodLedgerRow[],
  options: { openingBalance: string; taxRates: TaxRate[]; exempt: boolean; decimals: number },
): InvoiceFigures {
  const lines: InvoiceLine[] = [];
  const payments: InvoicePayment[] = [];
  const calls = new Map<string, { calls: number; seconds: number; amount: Money }>();
  for (const row of [...rows].sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id - b.id)) {
    const owed = new Money(row.amount).negated();
    if (isPayment(row)) {
      payments.push({ date: isoDay(row.created_at), description: row.description, amount: new Money(row.amount).toFixed() });
      continue;
    }
    const group = CHARGE_GROUPS[row.kind] ?? 'adjustments';
    if (group === 'calls') {
      const key = row.number ?? '';
      const sum = calls.get(key) ?? { calls: 0, seconds: 0, amount: new Money(0) };
      calls.set(key, { calls: sum.calls + 1, seconds: sum.seconds + (row.billed_seconds ?? 0), amount: sum.amount.plus(owed) });
      continue;
    }
    const period = chargedPeriod(row);
    lines.push({
      group, description: row.description, number: row.number, period_start: period.start, period_end: period.end,
      calls: null, minutes: null, amount: owed.toFixed(),
    });
  }
  for (const [number, sum] of [...calls].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push({
      group: 'calls', description: `Calls to ${number || 'unknown number'}`, number: number || null, period_start: null, period_end: null,
      calls: sum.calls, minutes: new Money(sum.seconds).dividedBy(60).toFixed(2), amount: sum.amount.toFixed(),
    });
  }
  const order: LineGroup[] = ['setup_fees', 'recurring_fees', 'calls', 'adjustments'];
  lines.sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));

  const subtotal = lines.reduce((sum, line) => sum.plus(line.amount), new Money(0));
  const paymentsTotal = payments.reduce((sum, payment) => sum.plus(payment.amount), new Money(0));
  const { taxes, taxTotal } = computeTaxes(subtotal.toFixed(), options.taxRates, { decimals: options.decimals, exempt: options.exempt });
  const total = subtotal.plus(taxTotal);
  const closing = new Money(options.openingBalance).minus(total).plus(paymentsTotal);
  return {
    lines, payments, taxes,
    subtotal: subtotal.toFixed(), taxTotal, total: total.toFixed(), paymentsTotal: paymentsTotal.toFixed(),
    openingBalance: new Money(options.openingBalance).toFixed(), closingBalance: closing.toFixed(),
  };
}

/** The invoice period `YYYY-MM` of an account billed on `billingDay`: from that day of the month to the same day of the next (a day past a month's end falls on its last day), UTC. */
export function invoicePeriod(period: string, billingDay: number): { start: Date; end: Date } {
  const match = /^(\d{4})-(\d{2})$/.exec(period);
  if (!match) throw new RangeError(`A period is written YYYY-MM, got "${period}"`);
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  if (month < 0 || month > 11) throw new RangeError(`No month ${match[2]} in "${period}"`);
  return { start: boundaryIn(year, month, billingDay), end: boundaryIn(year, month + 1, billingDay) };
}

/** The period `months` before the month of `now` (YYYY-MM): the schedule invoices the last one or two. */
export function monthBefore(now: Date, months = 1): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1)).toISOString().slice(0, 7);
}
