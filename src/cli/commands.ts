// The table of `didhub` commands. Each command lives in its own file beside this one.
import type { Command } from './command.ts';
import { billingCommand } from './billing.ts';
import { invoicesCommand } from './invoices.ts';
import { createAdminCommand } from './create-admin.ts';
import { maxDurationCommand } from './max-duration.ts';
import { migrateCommand } from './migrate.ts';
import { noticesCommand } from './notices.ts';
import { rateCdrsCommand } from './rate-cdrs.ts';
import { rateCommand } from './rate.ts';
import { reportsCommand } from './reports.ts';
import { seedCommand } from './seed.ts';

export const commands: Record<string, Command> = {
  migrate: migrateCommand,
  seed: seedCommand,
  'create-admin': createAdminCommand,
  rate: rateCommand,
  'max-duration': maxDurationCommand,
  'rate-cdrs': rateCdrsCommand,
  billing: billingCommand,
  notices: noticesCommand,
  invoices: invoicesCommand,
  reports: reportsCommand,
};
