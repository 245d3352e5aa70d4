// A billing run as its pages show it: what started it and how long it took.
import type { BillingRunRow } from '../../../db/repos/billing-runs.ts';

export const TRIGGER_LABELS: Record<BillingRunRow['trigger'], string> = { schedule: 'Schedule', command: 'Command', payment: 'Payment retry' };

export function presentRun(run: BillingRunRow) {
  const seconds = run.finished_at ? (run.finished_at.getTime() - run.started_at.getTime()) / 1000 : undefined;
  return {
    ...run,
    triggerLabel: TRIGGER_LABELS[run.trigger],
    duration: seconds === undefined ? '' : seconds < 10 ? `${seconds.toFixed(2)} s` : `${Math.round(seconds)} s`,
  };
}
