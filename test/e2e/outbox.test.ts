// The Outbox page in Chromium: the admin opens a mail, reads its HTML in the sandboxed frame (no
// script runs in it, under the page's strict CSP) and its text, and retries a failed one.
import { beforeAll, expect, it } from 'vitest';
import { markOutboxAttemptFailed } from '../../src/db/outbox.ts';
import { listOutboxMessages } from '../../src/db/queries/outbox.ts';
import { saveMailTemplateOverride } from '../../src/db/repos/mail-templates.ts';
import { recordEvent } from '../../src/services/events.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeHierarchy } from '../helpers/factories.ts';
import { describeInBrowser, logInThroughForm, useBrowser } from '../helpers/browser.ts';

const database = useTestDatabase();

describeInBrowser('the Outbox, in Chromium', () => {
  const browser = useBrowser(() => database.current.db);
  let people: Awaited<ReturnType<typeof makeHierarchy>>;
  let messageId: number;

  beforeAll(async () => {
    const db = database.current.db;
    people = await makeHierarchy(db);
    // An edited template whose HTML carries a script: the frame must not run it.
    await saveMailTemplateOverride(db, null, 'payment.received', {
      subject: 'Paid <%= amount %>', html: '<p id="body">Got <%= amount %></p><script>parent.document.title = "pwned"</script>', text: 'Got <%= amount %> as text',
    }, new Date());
    await recordEvent(db, { type: 'payment.received', accountId: people.customer.id, occurredAt: new Date(), data: { amount: '12', kind: 'payment', balance: '12', note: null } });
    const { rows } = await listOutboxMessages(db, { recipient: people.customer.email }, { limit: 1, offset: 0 });
    messageId = rows[0]!.id;
    await markOutboxAttemptFailed(db, messageId, { ok: false, responseCode: 550, detail: '550 mailbox unavailable', durationMs: 5, at: new Date() }, undefined);
  });

  it('when the admin opens a failed mail, then it reads the HTML and text, and Retry makes it pending', async () => {
    const page = await browser.newPage();
    await logInThroughForm(page, people.admin.email);
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.waitForURL('**/admin/outbox');
    await page.getByRole('link', { name: 'Paid $12.0000' }).click();
    await page.waitForURL(`**/admin/outbox/${messageId}`);
    expect(await page.locator('[data-subject]').textContent()).toBe('Paid $12.0000');
    expect(await page.locator('[data-text]').textContent()).toContain('Got $12.0000 as text');
    const frame = page.frameLocator('iframe.mail-frame');
    expect(await frame.locator('#body').textContent()).toBe('Got $12.0000');
    expect(await page.title()).not.toContain('pwned');
    expect(await page.locator('[data-error]').textContent()).toContain('550 mailbox unavailable');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.waitForURL(`**/admin/outbox/${messageId}`);
    expect(await page.locator('h1 [data-status]').textContent()).toBe('pending');
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    await page.context().close();
  });
});
