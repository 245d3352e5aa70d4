// Providers: the carriers the admin's numbers come from. Each change is audited.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { z } from 'zod';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { findProvider, insertProvider, updateProvider, type ProviderFields, type ProviderRow } from '../db/repos/providers.ts';
import { NotFoundError, isUniqueViolation } from '../errors.ts';

const optionalText = (max: number, message: string) =>
  z.string().trim().max(max, message).transform((value) => (value === '' ? null : value));

export const providerSchema = z.object({
  name: z.string().trim().min(1, 'Enter the provider’s name').max(120, 'Use at most 120 characters'),
  contact_name: optionalText(120, 'Use at most 120 characters').default(''),
  email: z
    .string()
    .trim()
    .max(200, 'Use at most 200 characters')
    .refine((value) => value === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value), 'Enter an email address like noc@carrier.example')
    .transform((value) => (value === '' ? null : value))
    .default(''),
  phone: optionalText(40, 'Use at most 40 characters').default(''),
  notes: optionalText(2000, 'Use at most 2000 characters').default(''),
});

export type ProviderSaveResult = { ok: true; provider: ProviderRow } | { ok: false; errors: Record<string, string> };

const TAKEN = { name: 'There is a provider of that name already' };

function snapshot(row: ProviderRow): ProviderFields {
  return { name: row.name, contact_name: row.contact_name, email: row.email, phone: row.phone, notes: row.notes };
}

export async function createProvider(db: Db, fields: ProviderFields, change: { actorId: number; now: Date }): Promise<ProviderSaveResult> {
  try {
    return await inTransaction(db, async (trx) => {
      const provider = await insertProvider(trx, fields, change.now);
      await insertAuditEntry(trx, { actorId: change.actorId, action: 'provider.create', entityType: 'provider', entityId: provider.id, after: snapshot(provider), at: change.now });
      return { ok: true as const, provider };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'providers_name_unique')) return { ok: false, errors: TAKEN };
    throw error;
  }
}

export async function editProvider(db: Db, id: number, fields: ProviderFields, change: { actorId: number; now: Date }): Promise<ProviderSaveResult> {
  try {
    return await inTransaction(db, async (trx) => {
      const before = await findProvider(trx, id);
      if (!before) throw new NotFoundError('There is no such provider');
      const provider = (await updateProvider(trx, id, fields, change.now))!;
      await insertAuditEntry(trx, { actorId: change.actorId, action: 'provider.update', entityType: 'provider', entityId: id, before: snapshot(before), after: snapshot(provider), at: change.now });
      return { ok: true as const, provider };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'providers_name_unique')) return { ok: false, errors: TAKEN };
    throw error;
  }
}
