// The Outbox page (list, detail, Retry) and the Mail templates pages (edit, preview, refused tags,
// broken template fallback, reset, a reseller's own templates and sender name).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { findOutboxMessage, markOutboxAttemptFailed } from '../../src/db/outbox.ts';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { findMailTemplateOverride, saveMailTemplateOverride } from '../../src/db/repos/mail-templates.ts';
import { listOutboxMessages } from '../../src/db/queries/outbox.ts';
import { recordEvent } from '../../src/services/events.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeHierarchy } from '../helpers/factories.ts';
import { loginAs, postForm, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
const NOW = new Date('2027-03-01T12:00:00Z');
let db: Knex;
let app: Express;
let admin: AccountRow;
let reseller: AccountRow;
let customer: AccountRow;
let resellerCustomer: AccountRow;
let asAdmin: Agent;

const payment = (account: AccountRow, note = 'Wire') =>
  recordEvent(db, { type: 'payment.received', accountId: account.id, occurredAt: NOW, data: { amount: '50', kind: 'payment', balance: '50', note } });

async function newestMailTo(account: AccountRow) {
  const { rows } = await listOutboxMessages(db, { recipient: account.email }, { limit: 1, offset: 0 });
  return rows[0]!;
}

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => NOW });
  ({ admin, reseller, customer, resellerCustomer } = await makeHierarchy(db));
  asAdmin = await loginAs(app, admin.email);
});

describe('Outbox page', () => {
  it('when a mail is in the outbox, then the list shows it and its page shows the rendered HTML (sandboxed) and text', async () => {
    await payment(customer, 'Invoice <b>42</b>');
    const list = await asAdmin.get(`/admin/outbox?channel=mail&recipient=${encodeURIComponent(customer.email)}`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('Payment received: $50.0000');
    expect(list.text).toContain('SMTP_URL is not set');
    const message = await newestMailTo(customer);
    const page = await asAdmin.get(`/admin/outbox/${message.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<iframe class="mail-frame" sandbox="" srcdoc="[^"]*Payment received/);
    // The note was escaped once into the mail's HTML, and the HTML once more into the attribute.
    expect(page.text).toContain('Invoice &amp;lt;b&amp;gt;42');
    expect(page.text).toContain('Invoice &lt;b&gt;42&lt;/b&gt;');
    expect(page.text).not.toContain('data-action="retry"');
  });

  it('when filters are given, then only matching messages are listed, and a nonsense filter is ignored', async () => {
    const page = await asAdmin.get('/admin/outbox?status=failed&event=number.purchased');
    expect(page.status).toBe(200);
    expect(page.text).toContain('No messages match these filters');
    expect((await asAdmin.get('/admin/outbox?status=bogus&page=2')).status).toBe(200);
  });

  it('when a mail failed, then Retry (with CSRF) makes it pending again, and without the token it is refused', async () => {
    await payment(customer);
    const message = await newestMailTo(customer);
    await markOutboxAttemptFailed(db, message.id, { ok: false, responseCode: 550, detail: '550 No such user', durationMs: 3, at: NOW }, undefined);
    const page = await asAdmin.get(`/admin/outbox/${message.id}`);
    expect(page.text).toContain('data-action="retry"');
    expect(page.text).toContain('550 No such user');
    expect((await asAdmin.post(`/admin/outbox/${message.id}/retry`).type('form').send({})).status).toBe(403);
    const retried = await postForm(asAdmin, `/admin/outbox/${message.id}/retry`, {}, `/admin/outbox/${message.id}`);
    expect(retried.status).toBe(302);
    expect(await findOutboxMessage(db, message.id)).toMatchObject({ status: 'pending' });
    const again = await postForm(asAdmin, `/admin/outbox/${message.id}/retry`, {}, `/admin/outbox/${message.id}`);
    expect(again.status).toBe(409);
  });

  it('when a reseller or a customer asks for the Outbox, then they are refused', async () => {
    const asReseller = await loginAs(app, reseller.email);
    expect((await asReseller.get('/admin/outbox')).status).toBe(403);
    expect((await asAdmin.get('/admin/outbox/999999999')).status).toBe(404);
  });
});

describe('Mail templates page', () => {
  const path = '/admin/mail-templates/payment.received';

  it('when the admin lists templates, then every mail is there with its kind and default status', async () => {
    const page = await asAdmin.get('/admin/mail-templates');
    expect(page.status).toBe(200);
    for (const event of ['number.purchased', 'renewal.notice', 'refill.failed', 'password.reset', 'account.welcome']) expect(page.text).toContain(`data-event="${event}"`);
    const refill = await asAdmin.get('/admin/mail-templates/refill.failed');
    expect(refill.status).toBe(200);
    for (const variable of ['amount', 'card', 'reason', 'add_funds_url']) expect(refill.text).toContain(`&lt;%= ${variable} %&gt;`);
    expect((await asAdmin.get('/admin/mail-templates/no.such')).status).toBe(404);
  });

  it('when a template is previewed, then the page shows it rendered with sample data and saves nothing', async () => {
    const editor = await asAdmin.get(path);
    expect(editor.text).toContain('&lt;%= balance %&gt;');
    const preview = await postForm(asAdmin, path, { subject: 'Thanks: <%= amount %> in', html: '<p>Got <%= amount %> from <%= account_name %></p>', text: 'Got <%= amount %>', action: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('data-preview');
    expect(preview.text).toContain('Thanks: $50.0000 in');
    expect(preview.text).toContain('Got $50.0000');
    expect(await findMailTemplateOverride(db, null, 'payment.received')).toBeUndefined();
  });

  it('when a template uses code or an unknown variable, then it is refused with the input kept', async () => {
    const code = await postForm(asAdmin, path, { subject: 'Hi', html: '<% process.exit(1) %>', text: 'x', action: 'save' });
    expect(code.status).toBe(400);
    expect(code.text).toContain('Only &lt;%= variable %&gt; tags are allowed');
    expect(code.text).toContain('&lt;% process.exit(1) %&gt;');
    const unknown = await postForm(asAdmin, path, { subject: 'Hi <%= password %>', html: 'x', text: 'x', action: 'preview' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Unknown variable &#34;password&#34;');
    expect(await findMailTemplateOverride(db, null, 'payment.received')).toBeUndefined();
  });

  it('when a template is saved, then mails use it; when it is reset, then the default is back', async () => {
    const saved = await postForm(asAdmin, path, { subject: 'Money in: <%= amount %>', html: '<p>In: <%= amount %></p>', text: 'In: <%= amount %>', action: 'save' });
    expect(saved.status).toBe(302);
    await payment(customer);
    expect((await newestMailTo(customer)).payload).toMatchObject({ subject: 'Money in: $50.0000', text: 'In: $50.0000', template: 'override' });
    expect((await asAdmin.get('/admin/mail-templates')).text).toMatch(/data-event="payment.received"[\s\S]*?edited/);
    const reset = await postForm(asAdmin, `${path}/reset`, {}, path);
    expect(reset.status).toBe(302);
    await payment(customer);
    expect((await newestMailTo(customer)).payload).toMatchObject({ subject: 'Payment received: $50.0000', template: 'default' });
  });

  it('when a stored template fails to render, then the default is sent and the template is flagged on the page', async () => {
    await saveMailTemplateOverride(db, null, 'number.released', { subject: 'Gone <%= vanished %>', html: 'x', text: 'x' }, NOW);
    await recordEvent(db, { type: 'number.released', accountId: customer.id, occurredAt: NOW, data: { number: '+14155550199', reason: 'unpaid' } });
    expect((await newestMailTo(customer)).payload).toMatchObject({ subject: '+14155550199 was released', template: 'default' });
    expect((await findMailTemplateOverride(db, null, 'number.released'))?.broken_at).not.toBeNull();
    expect((await asAdmin.get('/admin/mail-templates')).text).toContain('data-broken');
    const page = await asAdmin.get('/admin/mail-templates/number.released');
    expect(page.text).toContain('failed to render');
    await postForm(asAdmin, '/admin/mail-templates/number.released/reset', {}, '/admin/mail-templates/number.released');
  });

  it("when a reseller edits its customers' mail and sets its name, then its customers get those and the admin's customers do not", async () => {
    const asReseller = await loginAs(app, reseller.email);
    const base = '/reseller/mail-templates';
    expect((await asReseller.get(base)).status).toBe(200);
    const refused = await postForm(asReseller, `${base}/sender`, { sender_name: '  ' }, base);
    expect(refused.status).toBe(400);
    expect((await postForm(asReseller, `${base}/sender`, { sender_name: 'Blue Telecom' }, base)).status).toBe(302);
    const preview = await postForm(asReseller, `${base}/payment.received`, { subject: 'Blue got <%= amount %>', html: '<p><%= brand_name %></p>', text: '<%= brand_name %>', action: 'preview' });
    expect(preview.text).toContain('Blue Telecom &lt;');
    expect((await postForm(asReseller, `${base}/payment.received`, { subject: 'Blue got <%= amount %>', html: '<p><%= brand_name %></p>', text: '<%= brand_name %>', action: 'save' })).status).toBe(302);
    await payment(resellerCustomer);
    await payment(customer);
    expect((await newestMailTo(resellerCustomer)).payload).toMatchObject({ from: { name: 'Blue Telecom' }, subject: 'Blue got $50.0000', text: 'Blue Telecom' });
    expect((await newestMailTo(customer)).payload).toMatchObject({ from: { name: 'didhub' }, subject: 'Payment received: $50.0000' });
    const asCustomer = await loginAs(app, customer.email);
    expect((await asCustomer.get(base)).status).toBe(403);
  });
});
