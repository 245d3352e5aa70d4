// Mail templates are EJS restricted to one tag: `<%= variable %>`, a name from the event's list,
// printed escaped (HTML-escaped in the HTML body, as is in the subject and text). Anything else
// (`<% code %>`, `<%- raw %>`, an expression) is refused when a template is saved: a reseller
// edits these, and EJS would otherwise run its JavaScript on the server.
import ejs from 'ejs';

export interface MailContent {
  subject: string;
  html: string;
  text: string;
}

export type MailPart = keyof MailContent;
export const MAIL_PARTS: readonly MailPart[] = ['subject', 'html', 'text'];

const TAG = /<%=\s*([a-z_][a-z0-9_]*)\s*%>/y;

/** Why a template part is not allowed, or undefined when it is. */
export function checkTemplatePart(source: string, variables: readonly string[]): string | undefined {
  let index = source.indexOf('<%');
  while (index !== -1) {
    TAG.lastIndex = index;
    const match = TAG.exec(source);
    if (!match) return `Only <%= variable %> tags are allowed (at character ${index + 1})`;
    const name = match[1] as string;
    if (!variables.includes(name)) return `Unknown variable "${name}": use one of ${variables.join(', ')}`;
    index = source.indexOf('<%', TAG.lastIndex);
  }
  return undefined;
}

/** One field's message per part that is not allowed. */
export function checkTemplate(content: MailContent, variables: readonly string[]): Partial<Record<MailPart, string>> {
  const problems: Partial<Record<MailPart, string>> = {};
  for (const part of MAIL_PARTS) {
    const problem = checkTemplatePart(content[part], variables);
    if (problem) problems[part] = problem;
  }
  return problems;
}

const asIs = (value: unknown): string => String(value ?? '');

/** A header must be one line: line breaks (header injection) become spaces. */
export function singleLine(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

/**
 * Renders the three parts with these variables; throws when a part is not allowed or fails to
 * render (the caller falls back to the default template).
 */
export function renderMail(template: MailContent, variables: Record<string, string>): MailContent {
  const names = Object.keys(variables);
  for (const part of MAIL_PARTS) {
    const problem = checkTemplatePart(template[part], names);
    if (problem) throw new Error(`${part}: ${problem}`);
  }
  const render = (source: string, escape?: (value: unknown) => string) =>
    ejs.render(source, { ...variables }, { async: false, ...(escape ? { escape } : {}) });
  const subject = singleLine(render(template.subject, asIs));
  if (subject === '') throw new Error('subject: renders empty');
  return { subject, html: render(template.html), text: render(template.text, asIs) };
}
