// The "Mail templates" pages: the operator edits the mails of its direct accounts, a reseller those
// of its customers (and its sender name). A template is checked before it is saved (only
// `<%= variable %>` tags, only the event's variables) and rendered with sample data for the preview.
import type { Db } from '../db/knex.ts';
import {
  deleteMailTemplateOverride,
  findMailTemplateOverride,
  listMailTemplateOverrides,
  saveMailSenderName,
  saveMailTemplateOverride,
  type MailTemplateRow,
} from '../db/repos/mail-templates.ts';
import { MAIL_EVENT_TYPES, MAIL_EVENTS, type MailEventSpec, type MailEventType } from '../domain/mail-events.ts';
import { checkTemplate, renderMail, singleLine, type MailContent } from '../domain/mail-render.ts';
import { ValidationError } from '../errors.ts';
import { brandOfOwner, type MailSettings } from './mail-composer.ts';

export interface TemplateSummary {
  event: MailEventType;
  spec: MailEventSpec;
  override: MailTemplateRow | undefined;
}

export async function listTemplatesFor(db: Db, ownerId: number | null): Promise<TemplateSummary[]> {
  const overrides = new Map((await listMailTemplateOverrides(db, ownerId)).map((row) => [row.event, row]));
  return MAIL_EVENT_TYPES.map((event) => ({ event, spec: MAIL_EVENTS[event], override: overrides.get(event) }));
}

export async function loadTemplateFor(db: Db, ownerId: number | null, event: MailEventType): Promise<TemplateSummary & { content: MailContent }> {
  const override = await findMailTemplateOverride(db, ownerId, event);
  const spec = MAIL_EVENTS[event];
  const content = override ? { subject: override.subject, html: override.html, text: override.text } : spec.defaults;
  return { event, spec, override, content };
}

function checked(event: MailEventType, content: MailContent, sample: Record<string, string>): MailContent {
  const problems = checkTemplate(content, Object.keys(MAIL_EVENTS[event].variables));
  if (Object.keys(problems).length > 0) throw new ValidationError(Object.values(problems)[0] as string, problems);
  try {
    return renderMail(content, sample);
  } catch (error) {
    throw new ValidationError('The template does not render', { _form: error instanceof Error ? error.message : String(error) });
  }
}

/** The mail as the owner's customers would get it, with sample data; throws ValidationError when it is not allowed. */
export async function previewTemplate(
  db: Db,
  ownerId: number | null,
  event: MailEventType,
  content: MailContent,
  settings: Pick<MailSettings, 'mailFrom'>,
): Promise<MailContent & { from: string }> {
  const brand = await brandOfOwner(db, ownerId, settings);
  const rendered = checked(event, content, { ...MAIL_EVENTS[event].sample, brand_name: brand.name });
  return { ...rendered, from: `${brand.name} <${settings.mailFrom.address}>` };
}

export async function saveTemplate(db: Db, ownerId: number | null, event: MailEventType, content: MailContent, now: Date): Promise<void> {
  checked(event, content, MAIL_EVENTS[event].sample);
  await saveMailTemplateOverride(db, ownerId, event, { ...content, subject: singleLine(content.subject) }, now);
}

/** Back to the default: the override is removed. */
export async function resetTemplate(db: Db, ownerId: number | null, event: MailEventType): Promise<void> {
  await deleteMailTemplateOverride(db, ownerId, event);
}

export async function setSenderName(db: Db, resellerId: number, name: string, now: Date): Promise<string> {
  const clean = singleLine(name);
  if (clean === '') throw new ValidationError('Enter the name your customers see', { sender_name: 'Enter the name your customers see' });
  await saveMailSenderName(db, resellerId, clean, now);
  return clean;
}
