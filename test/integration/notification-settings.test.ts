// The Notifications page: every role has it; notices on and off, the low-balance threshold and
// billing contacts are validated and saved for the signed-in account only.
import type { Express } from 'express';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import { findNotificationPreferences, listBillingContacts } from '../../src/db/repos/notification-preferences.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeHierarchy } from '../helpers/factories.ts';
import { loginAs, postForm, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
const PAGE = '/account/notifications';
let db: Knex;
let app: Express;
let people: Awaited<ReturnType<typeof makeHierarchy>>;

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db);
  people = await makeHierarchy(db);
});

/** Posts the preferences form; `notices` repeated as a browser sends ticked boxes. */
async function savePreferences(agent: Agent, notices: string[], threshold: string) {
  const token = /name="_csrf" value="([^"]+)"/.exec((await agent.get(PAGE)).text)![1]!;
  const body = [...notices.map((notice) => `notices=${encodeURIComponent(notice)}`), `low_balance_threshold=${encodeURIComponent(threshold)}`, `_csrf=${token}`].join('&');
  return agent.post(PAGE).type('form').send(body);
}

describe('the Notifications page', () => {
  it.each(['admin', 'reseller', 'customer'] as const)('when the %s opens it from the account menu, then every optional notice is on and receipts and security mails are listed as always sent', async (role) => {
    const agent = await loginAs(app, people[role].email);
    const home = await agent.get(`/${role}`);
    expect(home.text).toContain(`href="${PAGE}"`);
    const page = await agent.get(PAGE);
    expect(page.status).toBe(200);
    expect(page.text.match(/name="notices" value="[a-z.]+" checked/g)).toHaveLength(5);
    for (const label of ['Purchase receipt', 'Payment received (receipt)', 'Automatic refill declined (the card charge failed)', 'Password reset link (security)']) expect(page.text).toContain(label);
  });

  it('when notices are turned off and a threshold set, then they are saved and shown so', async () => {
    const account = await makeAccount(db, { parent: people.admin });
    const agent = await loginAs(app, account.email);
    const saved = await savePreferences(agent, ['renewal.notice', 'balance.low', 'not.an.event'], '12.5');
    expect(saved.status).toBe(302);
    const preferences = await findNotificationPreferences(db, account.id);
    expect(preferences.disabledEvents).toEqual(['number.expiring', 'number.released', 'number.suspended']);
    expect(preferences.lowBalanceThreshold).toBe('12.500000');
    const page = await agent.get(PAGE);
    expect(page.text).toContain('value="balance.low" checked');
    expect(page.text).toMatch(/value="number.released"\s+>/);
    expect(page.text).toContain('value="12.5000"');

    expect((await savePreferences(agent, [], '')).status).toBe(302);
    expect(await findNotificationPreferences(db, account.id)).toMatchObject({ lowBalanceThreshold: null, disabledEvents: expect.arrayContaining(['balance.low', 'renewal.notice']) });
  });

  it('when the threshold is not an amount, then the form comes back with one message, the input and the ticks kept, and nothing saved', async () => {
    const account = await makeAccount(db, { parent: people.admin });
    const agent = await loginAs(app, account.email);
    for (const [typed, message] of [
      ['-1', 'Enter an amount of 0 or more'],
      ['1,000', 'Use digits with an optional decimal point'],
      ['1.123456', 'Use at most 4 decimals'],
    ] as const) {
      const response = await savePreferences(agent, ['balance.low'], typed);
      expect(response.status, typed).toBe(400);
      expect(response.text).toContain(message);
      expect(response.text).toContain(`value="${typed}"`);
      expect(response.text).toContain('value="balance.low" checked');
      expect(response.text).toMatch(/value="renewal.notice"\s+>/);
    }
    expect((await findNotificationPreferences(db, account.id)).updatedAt).toBeNull();
  });
});

describe('billing contacts', () => {
  it('when a contact is added and removed, then the page lists it and then not; bad, own and duplicate addresses are refused', async () => {
    const account = await makeAccount(db, { parent: people.admin });
    const agent = await loginAs(app, account.email);
    const add = (email: string) => postForm(agent, `${PAGE}/contacts`, { contact_email: email }, PAGE);

    expect((await add('billing@acme.example')).status).toBe(302);
    expect((await agent.get(PAGE)).text).toContain('billing@acme.example');
    for (const [email, message] of [
      ['BILLING@acme.example', 'This address is a billing contact already'],
      ['not-an-address', 'Enter one email address like billing@example.com'],
      ['a@b.example, c@d.example', 'Enter one email address like billing@example.com'],
      [account.email.toUpperCase(), 'the account&#39;s own address'],
    ] as const) {
      const refused = await add(email);
      expect(refused.status, email).toBe(400);
      expect(refused.text).toContain(message);
    }
    const [contact] = await listBillingContacts(db, account.id);
    expect((await postForm(agent, `${PAGE}/contacts/${contact!.id}/delete`, {}, PAGE)).status).toBe(302);
    expect(await listBillingContacts(db, account.id)).toEqual([]);
  });

  it('when an account names another account\'s contact, then it gets 404 and the contact stays', async () => {
    const owner = await makeAccount(db, { parent: people.admin });
    const ownerAgent = await loginAs(app, owner.email);
    await postForm(ownerAgent, `${PAGE}/contacts`, { contact_email: 'keep@owner.example' }, PAGE);
    const [contact] = await listBillingContacts(db, owner.id);
    const other = await loginAs(app, people.customer.email);
    expect((await postForm(other, `${PAGE}/contacts/${contact!.id}/delete`, {}, PAGE)).status).toBe(404);
    expect(await listBillingContacts(db, owner.id)).toHaveLength(1);
  });

  it('when the account has 10 contacts, then an eleventh is refused', async () => {
    const account = await makeAccount(db, { parent: people.admin });
    const agent = await loginAs(app, account.email);
    for (let i = 0; i < 10; i += 1) expect((await postForm(agent, `${PAGE}/contacts`, { contact_email: `c${i}@many.example` }, PAGE)).status).toBe(302);
    const refused = await postForm(agent, `${PAGE}/contacts`, { contact_email: 'c10@many.example' }, PAGE);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('at most 10 billing contacts');
  });
});
