// The table of `didhub` commands. Each command lives in its own file beside this one.
import type { Command } from './command.ts';

export const commands: Record<string, Command> = {};
