// The table of `didhub` commands. Each command lives in its own file beside this one.
import type { Command } from './command.ts';
import { maxDurationCommand } from './max-duration.ts';
import { rateCdrsCommand } from './rate-cdrs.ts';
import { rateCommand } from './rate.ts';

export const commands: Record<string, Command> = {
  rate: rateCommand,
  'max-duration': maxDurationCommand,
  'rate-cdrs': rateCdrsCommand,
};
