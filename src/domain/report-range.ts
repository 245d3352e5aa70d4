// The dates a report covers when its form leaves them out: the last 30 days up to today, or, for
// the per-month report, the twelve months up to this one (from the first of the earliest). Days
// are UTC dates (YYYY-MM-DD), both ends included. The per-number report covers one whole
// calendar month (its figures are kept per number and month): the month asked for, else the month
// of the range's end date (or of its start), else this month.

const DAY = 86_400_000;

function isoDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

export function defaultReportRange(now: Date, report: string): { from: string; to: string } {
  const to = isoDay(now.getTime());
  if (report === 'month') {
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
    return { from: isoDay(first.getTime()), to };
  }
  return { from: isoDay(Date.parse(`${to}T00:00:00Z`) - 29 * DAY), to };
}

/** The first and last day of a month (YYYY-MM). */
export function monthRange(month: string): { from: string; to: string } {
  const first = new Date(`${month}-01T00:00:00Z`);
  return { from: isoDay(first.getTime()), to: isoDay(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)) };
}

export interface AskedRange {
  from?: string | undefined;
  to?: string | undefined;
  /** YYYY-MM: the per-number report's month. */
  month?: string | undefined;
}

/** The range asked for, with the missing end(s) taken from the default; a lone `to` ends the default range there. */
export function reportRange(now: Date, report: string, asked: AskedRange): { from: string; to: string } {
  if (report === 'number') return monthRange(asked.month ?? (asked.to ?? asked.from ?? isoDay(now.getTime())).slice(0, 7));
  const fallback = defaultReportRange(now, report);
  if (asked.from && asked.to) return { from: asked.from, to: asked.to };
  if (asked.from) return { from: asked.from, to: asked.from > fallback.to ? asked.from : fallback.to };
  if (asked.to) return defaultReportRange(new Date(`${asked.to}T00:00:00Z`), report);
  return fallback;
}

/** The month (its first day) when the range is exactly one calendar month, else null. */
export function wholeMonthOf(range: { from: string; to: string }): string | null {
  const month = monthRange(range.from.slice(0, 7));
  return range.from === month.from && range.to === month.to ? month.from : null;
}

/** Every day from `from` to `to` (YYYY-MM-DD, both included), in order. */
export function daysOf(range: { from: string; to: string }): string[] {
  const days: string[] = [];
  const last = Date.parse(`${range.to}T00:00:00Z`);
  for (let at = Date.parse(`${range.from}T00:00:00Z`); at <= last; at += 86_400_000) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}
