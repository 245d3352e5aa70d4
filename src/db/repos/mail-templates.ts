// Template overrides (the operator's: owner null; a reseller's for its customers) and resellers'
// sender names.
import type { Db } from '../knex.ts';

export interface MailTemplateRow {
  id: number;
  owner_id: number | null;
  event: string;
  subject: string;
  html: string;
  text: string;
  broken_at: Date | null;
  broken_error: string | null;
  updated_at: Date;
}

export interface MailTemplateContent {
  subject: string;
  html: string;
  text: string;
}

const ownedBy = (ownerId: number | null) => (ownerId === null ? { owner_id: null } : { owner_id: ownerId });

export async function listMailTemplateOverrides(db: Db, ownerId: number | null): Promise<MailTemplateRow[]> {
  const query = db<MailTemplateRow>('mail_templates').orderBy('event');
  return ownerId === null ? query.whereNull('owner_id') : query.where({ owner_id: ownerId });
}

export async function findMailTemplateOverride(db: Db, ownerId: number | null, event: string): Promise<MailTemplateRow | undefined> {
  const query = db<MailTemplateRow>('mail_templates').where({ event });
  return (ownerId === null ? query.whereNull('owner_id') : query.where({ owner_id: ownerId })).first();
}

/** Writes (or replaces) the override and clears its broken flag: an edit is a fresh start. */
export async function saveMailTemplateOverride(db: Db, ownerId: number | null, event: string, content: MailTemplateContent, now: Date): Promise<void> {
  const existing = await findMailTemplateOverride(db, ownerId, event);
  const fields = { ...content, broken_at: null, broken_error: null, updated_at: now };
  if (existing) await db('mail_templates').where({ id: existing.id }).update(fields);
  else await db('mail_templates').insert({ ...ownedBy(ownerId), event, ...fields });
}

export async function deleteMailTemplateOverride(db: Db, ownerId: number | null, event: string): Promise<void> {
  const query = db('mail_templates').where({ event });
  await (ownerId === null ? query.whereNull('owner_id') : query.where({ owner_id: ownerId })).delete();
}

export async function flagMailTemplateBroken(db: Db, templateId: number, error: string, now: Date): Promise<void> {
  await db('mail_templates').where({ id: templateId }).update({ broken_at: now, broken_error: error.slice(0, 500) });
}

export async function findMailSenderName(db: Db, accountId: number): Promise<string | undefined> {
  const row = (await db('mail_senders').where({ account_id: accountId }).first('sender_name')) as { sender_name: string } | undefined;
  return row?.sender_name;
}

export async function saveMailSenderName(db: Db, accountId: number, senderName: string, now: Date): Promise<void> {
  await db('mail_senders')
    .insert({ account_id: accountId, sender_name: senderName, updated_at: now })
    .onConflict('account_id')
    .merge(['sender_name', 'updated_at']);
}
