// Mail templates: only `<%= variable %>` of the event's list, escaped in HTML, one-line subjects;
// every default template renders with its sample data.
import { describe, expect, it } from 'vitest';
import { MAIL_EVENT_TYPES, MAIL_EVENTS } from '../../src/domain/mail-events.ts';
import { checkTemplatePart, renderMail, singleLine } from '../../src/domain/mail-render.ts';
import { mailVariables } from '../../src/domain/mail-variables.ts';

const VARIABLES = ['number', 'amount'];

describe('mail template grammar', () => {
  it.each([
    ['Plain text', undefined],
    ['<%= number %> and <%=amount%>', undefined],
    ['50% off %> still text', undefined],
    ['<% process.exit(1) %>', 'Only <%= variable %> tags are allowed (at character 1)'],
    ['x <%- number %>', 'Only <%= variable %> tags are allowed (at character 3)'],
    ['<%= number.constructor %>', 'Only <%= variable %> tags are allowed (at character 1)'],
    ['<%= number + 1 %>', 'Only <%= variable %> tags are allowed (at character 1)'],
    ['<%# comment %>', 'Only <%= variable %> tags are allowed (at character 1)'],
    ['<%= number -%>', 'Only <%= variable %> tags are allowed (at character 1)'],
    ['<%= process %>', 'Unknown variable "process": use one of number, amount'],
    ['ok <%= number %> then <%', 'Only <%= variable %> tags are allowed (at character 23)'],
  ])('when a template part is %j, then the check says %j', (source, expected) => {
    expect(checkTemplatePart(source, VARIABLES)).toBe(expected);
  });

  it('when a variable holds markup, then the HTML body escapes it and the text body keeps it', () => {
    const mail = renderMail({ subject: 'For <%= number %>', html: '<p><%= number %></p>', text: '<%= number %>' }, { number: '<b>&"x"' });
    expect(mail).toEqual({ subject: 'For <b>&"x"', html: '<p>&lt;b&gt;&amp;&#34;x&#34;</p>', text: '<b>&"x"' });
  });

  it.each([
    ['Hi\r\nBcc: x@y.example', 'Hi Bcc: x@y.example'],
    ['  two   spaces\n', 'two spaces'],
    ['line\u2028sep', 'line sep'],
  ])('when a header is %j, then it becomes %j', (value, expected) => {
    expect(singleLine(value)).toBe(expected);
  });

  it('when a subject renders empty, then rendering fails (the caller sends the default)', () => {
    expect(() => renderMail({ subject: '<%= number %>', html: 'x', text: 'x' }, { number: '' })).toThrow('subject: renders empty');
  });

  it.each(MAIL_EVENT_TYPES.map((type) => [type]))('when the default %s template renders with its sample data, then it passes the grammar and prints no empty variable', (type) => {
    const spec = MAIL_EVENTS[type];
    const names = Object.keys(spec.variables);
    for (const part of ['subject', 'html', 'text'] as const) expect(checkTemplatePart(spec.defaults[part], names)).toBeUndefined();
    expect(Object.keys(spec.sample).sort()).toEqual(names.sort());
    const mail = renderMail(spec.defaults, spec.sample);
    expect(mail.subject.length).toBeGreaterThan(0);
    expect(mail.text).toContain(spec.sample.account_name);
  });

  it('when event data is turned into variables, then each event gives exactly its listed variables', () => {
    for (const type of MAIL_EVENT_TYPES) {
      const variables = mailVariables(type, {}, { account: { name: 'A', email: 'a@x.example' }, brandName: 'B', format: { currency: 'USD', decimals: 2 } });
      expect(Object.keys(variables).sort(), type).toEqual(Object.keys(MAIL_EVENTS[type].variables).sort());
    }
  });
});
