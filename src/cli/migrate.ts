import { describeDatabase, migrateLatest } from '../db/open.ts';
import type { Command } from './command.ts';
import { withDatabase } from './with-database.ts';

export const migrateCommand: Command = {
  summary: 'apply the database migrations that have not run yet',
  usage: 'Usage: didhub migrate\n\nApplies pending migrations to DATABASE_URL, or to the embedded database in DATA_DIR.',
  async run(_args, io) {
    return withDatabase(async (db, config) => {
      const applied = await migrateLatest(db);
      io.stdout.write(`Database: ${describeDatabase(config)}\n`);
      io.stdout.write(applied.length === 0 ? 'Already up to date.\n' : `Applied ${applied.length} migration(s):\n${applied.map((n) => `  ${n}\n`).join('')}`);
      return 0;
    });
  },
};
