import type { Writable } from 'node:stream';

/** Where a command writes; tests pass their own streams. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
}

export interface Command {
  /** One line for `didhub help`. */
  summary: string;
  /** The full usage text, printed by `didhub help <command>` and on bad arguments. */
  usage: string;
  /** Returns the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Thrown for bad command-line arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}
