import type { Db } from '../knex.ts';

export interface SwitchRow {
  id: number;
  name: string;
  token_hash: string;
  token_hint: string;
  allowed_addresses: string[];
  status: 'active' | 'disabled';
  created_by: number | null;
  last_seen_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export async function listSwitches(db: Db): Promise<SwitchRow[]> {
  return db<SwitchRow>('switches').orderBy('name');
}

export async function findSwitchById(db: Db, id: number): Promise<SwitchRow | undefined> {
  return db<SwitchRow>('switches').where({ id }).first();
}

export async function findSwitchByTokenHash(db: Db, tokenHash: string): Promise<SwitchRow | undefined> {
  return db<SwitchRow>('switches').where({ token_hash: tokenHash }).first();
}

export async function insertSwitch(db: Db, row: Omit<SwitchRow, 'id' | 'last_seen_at' | 'created_at' | 'updated_at' | 'allowed_addresses'> & { allowed_addresses: string[]; created_at: Date; updated_at: Date }): Promise<SwitchRow> {
  const [inserted] = await db('switches').insert({ ...row, allowed_addresses: JSON.stringify(row.allowed_addresses) }).returning('*');
  return inserted as SwitchRow;
}

export async function updateSwitch(db: Db, id: number, changes: Partial<Pick<SwitchRow, 'status' | 'token_hash' | 'token_hint' | 'allowed_addresses'>> & { updated_at: Date }): Promise<void> {
  const row: Record<string, unknown> = { ...changes };
  if (changes.allowed_addresses) row.allowed_addresses = JSON.stringify(changes.allowed_addresses);
  await db('switches').where({ id }).update(row);
}

export async function touchSwitch(db: Db, id: number, now: Date): Promise<void> {
  await db('switches').where({ id }).update({ last_seen_at: now });
}
