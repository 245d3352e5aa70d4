import { parseArgs } from 'node:util';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from '../../seeds/demo.ts';
import { DEMO_ADMIN_API_KEY, DEMO_API_KEY } from '../../seeds/demo-api.ts';
import { migrateLatest } from '../db/open.ts';
import { UsageError, type Command } from './command.ts';
import { withDatabase } from './with-database.ts';

export function demoLoginsText(): string {
  const lines = DEMO_LOGINS.map((login) => `  ${login.role.padEnd(9)} ${login.email}${'note' in login ? `  (${login.note})` : ''}`);
  return `Demo logins (password: ${DEMO_PASSWORD}):\n${lines.join('\n')}\nDemo API key of reseller@example.com: ${DEMO_API_KEY}\nDemo API key of admin@example.com (inventory): ${DEMO_ADMIN_API_KEY}\n`;
}

export const seedCommand: Command = {
  summary: 'write the demo data into an empty database (--demo)',
  usage: 'Usage: didhub seed --demo\n\nMigrates, then writes demo accounts, providers, DIDs, a switch and calls. A database that has accounts already is left as it is.',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { demo: { type: 'boolean' } }, strict: true });
    if (!values.demo) throw new UsageError('say --demo: demo data is the only seed there is');
    return withDatabase(async (db, config) => {
      await migrateLatest(db);
      const result = await seedDemo(db, { now: new Date(), bcryptCost: config.bcryptCost, moneyDecimals: config.moneyDecimals, currency: config.currency });
      if (!result.seeded) {
        io.stdout.write('The database has accounts already: demo data not written.\n');
        return 0;
      }
      io.stdout.write(`Demo data written: 5 accounts, 2 providers, ${result.dids} DIDs, a switch and ${result.calls} rated calls.\n${demoLoginsText()}`);
      return 0;
    });
  },
};
