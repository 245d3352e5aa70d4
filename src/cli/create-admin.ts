import { parseArgs } from 'node:util';
import { z } from 'zod';
import { migrateLatest } from '../db/open.ts';
import { ValidationError } from '../errors.ts';
import { createAccount } from '../services/accounts.ts';
import { passwordSchema } from '../web/routes/accounts/schema.ts';
import { UsageError, type Command } from './command.ts';
import { withDatabase } from './with-database.ts';

const inputSchema = z.object({
  email: z.email('--email must be an email address'),
  password: passwordSchema,
  name: z.string().trim().min(1).default('Administrator'),
});

export const createAdminCommand: Command = {
  summary: 'create an admin login (for a production database)',
  usage: 'Usage: didhub create-admin --email E --password P [--name N]\n\nCreates an active admin account. The password needs at least 10 characters.',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
      strict: true,
    });
    const input = inputSchema.safeParse(values);
    if (!input.success) throw new UsageError(input.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; '));
    return withDatabase(async (db, config) => {
      await migrateLatest(db);
      try {
        const admin = await createAccount(db, { role: 'admin', parent_id: null, ...input.data }, config.bcryptCost);
        io.stdout.write(`Admin ${admin.email} created (id ${admin.id}).\n`);
        return 0;
      } catch (error) {
        if (error instanceof ValidationError) {
          io.stderr.write(`didhub create-admin: ${Object.values(error.fields).join('; ') || error.message}\n`);
          return 1;
        }
        throw error;
      }
    });
  },
};
