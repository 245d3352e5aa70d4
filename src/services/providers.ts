// Providers: the carriers the admin's numbers come from. Each change is audited.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { insertAuditEntry } from '../db/repos/audit-log.ts';
import { findProvider, insertProvider, updateProvider, type ProviderFields, type ProviderRow } from '../db/repos/providers.ts';
import { NotFoundError, ValidationError, isUniqueViolation } from '../errors.ts';

const TAKEN = 'There is a provider of that name already';

/** A taken name is the form's error at its field; anything else goes on. */
function nameTaken(error: unknown): unknown {
  return isUniqueViolation(error, 'providers_name_unique') ? new ValidationError(TAKEN, { name: TAKEN }) : error;
}

function snapshot(row: ProviderRow): ProviderFields {
  return { name: row.name, contact_name: row.contact_name, email: row.email, phone: row.phone, notes: row.notes };
}

export async function createProvider(db: Db, fields: ProviderFields, change: { actorId: number; now: Date }): Promise<ProviderRow> {
  try {
    return await inTransaction(db, async (trx) => {
      const provider = await insertProvider(trx, fields, change.now);
      await insertAuditEntry(trx, { actorId: change.actorId, action: 'provider.create', entityType: 'provider', entityId: provider.id, after: snapshot(provider), at: change.now });
      return provider;
    });
  } catch (error) {
    throw nameTaken(error);
  }
}

export async function editProvider(db: Db, id: number, fields: ProviderFields, change: { actorId: number; now: Date }): Promise<ProviderRow> {
  try {
    return await inTransaction(db, async (trx) => {
      const before = await findProvider(trx, id);
      if (!before) throw new NotFoundError('There is no such provider');
      const provider = (await updateProvider(trx, id, fields, change.now))!;
      await insertAuditEntry(trx, { actorId: change.actorId, action: 'provider.update', entityType: 'provider', entityId: id, before: snapshot(before), after: snapshot(provider), at: change.now });
      return provider;
    });
  } catch (error) {
    throw nameTaken(error);
  }
}
