// The `didhub` command: `npx didhub <command> [options]`. `didhub help` lists the commands.
import { main } from './cli/main.ts';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
