// The dates a report covers when its form leaves them out: the last 30 days up to today, or, for
// the per-month report, the twelve months up to this one (from the first of the earliest). Days
// are UTC dates (YYYY-MM-DD), both ends included.

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

/** The range asked for, with the missing end(s) taken from the default; a lone `to` ends the default range there. */
export function reportRange(now: Date, report: string, asked: { from?: string | undefined; to?: string | undefined }): { from: string; to: string } {
  const fallback = defaultReportRange(now, report);
  if (asked.from && asked.to) return { from: asked.from, to: asked.to };
  if (asked.from) return { from: asked.from, to: asked.from > fallback.to ? asked.from : fallback.to };
  if (asked.to) return defaultReportRange(new Date(`${asked.to}T00:00:00Z`), report);
  return fallback;
}
