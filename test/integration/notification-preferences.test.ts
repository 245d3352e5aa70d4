// Each account's notification preferences and billing contacts (the data the preferences page edits).
import { describe, expect, it } from 'vitest';
import {
  addBillingContact,
  findNotificationPreferences,
  listBillingContacts,
  removeBillingContact,
  saveNotificationPreferences,
} from '../../src/db/repos/notification-preferences.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeHierarchy } from '../helpers/factories.ts';

const database = useTestDatabase();
const NOW = new Date('2027-03-01T12:00:00Z');

describe('notification preferences', () => {
  it('when an account never saved preferences, then it has every notice on and no threshold', async () => {
    const account = (await makeHierarchy(database.current.db)).customer;
    expect(await findNotificationPreferences(database.current.db, account.id)).toEqual({
      accountId: account.id, disabledEvents: [], lowBalanceThreshold: null, updatedAt: null,
    });
  });

  it('when preferences are saved twice, then the second save replaces the first', async () => {
    const db = database.current.db;
    const account = (await makeHierarchy(db)).customer;
    await saveNotificationPreferences(db, account.id, { disabledEvents: ['renewal.notice'], lowBalanceThreshold: '5' }, NOW);
    await saveNotificationPreferences(db, account.id, { disabledEvents: ['number.expiring', 'balance.low'], lowBalanceThreshold: null }, NOW);
    const found = await findNotificationPreferences(db, account.id);
    expect(found).toMatchObject({ disabledEvents: ['balance.low', 'number.expiring'], lowBalanceThreshold: null });
    await saveNotificationPreferences(db, account.id, { disabledEvents: [], lowBalanceThreshold: '12.5' }, NOW);
    expect(Number((await findNotificationPreferences(db, account.id)).lowBalanceThreshold)).toBe(12.5);
  });

  it('when billing contacts are added and removed, then the list follows and an address is unique per account whatever its case', async () => {
    const db = database.current.db;
    const account = (await makeHierarchy(db)).customer;
    const other = (await makeHierarchy(db)).customer;
    const first = await addBillingContact(db, account.id, ' billing@corp.example ', NOW);
    await addBillingContact(db, account.id, 'cfo@corp.example', NOW);
    await expect(addBillingContact(db, account.id, 'BILLING@corp.example', NOW)).rejects.toMatchObject({ code: '23505' });
    await addBillingContact(db, other.id, 'billing@corp.example', NOW);
    expect((await listBillingContacts(db, account.id)).map((c) => c.email)).toEqual(['billing@corp.example', 'cfo@corp.example']);
    expect(await removeBillingContact(db, other.id, first.id)).toBe(false);
    expect(await removeBillingContact(db, account.id, first.id)).toBe(true);
    expect((await listBillingContacts(db, account.id)).map((c) => c.email)).toEqual(['cfo@corp.example']);
  });
});
