// Dispatches `didhub <command>`; kept apart from src/cli.ts so tests can call it.
import { commands } from './commands.ts';
import { UsageError, type CliIo } from './command.ts';

function printHelp(io: CliIo): void {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((n) => n.length), 4);
  io.stdout.write('Usage: didhub <command> [options]\n\nCommands:\n');
  io.stdout.write(`  ${'help'.padEnd(width)}  show this list, or a command's usage: didhub help <command>\n`);
  for (const name of names) io.stdout.write(`  ${name.padEnd(width)}  ${commands[name]!.summary}\n`);
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = args[0];
    const command = topic === undefined ? undefined : commands[topic];
    if (command) io.stdout.write(`${command.usage}\n`);
    else printHelp(io);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`didhub: unknown command "${name}"\n\n`);
    printHelp(io);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`didhub ${name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    throw error;
  }
}
