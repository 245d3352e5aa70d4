import { beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { insertAuditEntry } from '../../src/db/repos/audit-log.ts';
import type { AccountRow } from '../../src/db/repos/accounts.ts';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount } from '../helpers/factories.ts';
import { loginAs, type Agent } from '../helpers/login.ts';

const NOW = new Date('2026-11-20T10:00:00Z');
const database = useTestDatabase();
let db: Knex;
let app: Express;
let ann: AccountRow;
let bob: AccountRow;
let reseller: AccountRow;
let customer: AccountRow;
let agent: Agent;

const ids = (html: string) => [...html.matchAll(/data-audit-id="(\d+)"/g)].map((m) => Number(m[1]));
const total = (html: string) => Number(/data-total="(\d+)"/.exec(html)?.[1]);

beforeAll(async () => {
  db = database.current.db;
  app = createTestApp(db, { now: () => NOW });
  ann = await makeAccount(db, { role: 'admin', name: 'Ann Admin' });
  bob = await makeAccount(db, { role: 'admin', name: 'Bob Admin' });
  reseller = await makeAccount(db, { role: 'reseller', parent: ann });
  customer = await makeAccount(db, { role: 'customer', parent: reseller });
  for (let i = 0; i < 60; i += 1) {
    await insertAuditEntry(db, {
      actorId: ann.id, action: 'did.update', entityType: 'did', entityId: 1000 + i,
      before: { monthly_fee: '1.000000' }, after: { monthly_fee: '2.000000' }, at: new Date(Date.parse('2026-11-10T08:00:00Z') + i * 1000),
    });
  }
  await insertAuditEntry(db, { actorId: bob.id, action: 'provider.create', entityType: 'provider', entityId: 7, after: { name: 'Carrier Seven' }, at: new Date('2026-11-12T09:00:00Z') });
  await insertAuditEntry(db, {
    actorId: bob.id, action: 'ledger.payment', entityType: 'account', entityId: customer.id, after: { amount: '25.000000' }, at: new Date('2026-11-15T23:30:00Z'),
  });
  await insertAuditEntry(db, { actorId: null, action: 'switch.create', entityType: 'switch', entityId: 3, after: { name: 'fs-1' }, at: new Date('2026-11-16T00:00:00Z') });
  agent = await loginAs(app, ann.email);
});

describe('the admin\'s audit log lists every audited change', () => {
  it('when the admin opens it, then the changes come newest first, 50 a page, with a readable diff, and the menu links it', async () => {
    const first = await agent.get('/admin/audit');
    expect(first.status).toBe(200);
    expect(total(first.text)).toBe(63);
    const firstIds = ids(first.text);
    expect(firstIds).toHaveLength(50);
    expect(first.text.indexOf('data-action="switch.create"')).toBeLessThan(first.text.indexOf('data-action="ledger.payment"'));
    expect(first.text.indexOf('data-action="ledger.payment"')).toBeLessThan(first.text.indexOf('data-action="provider.create"'));
    expect(first.text).toContain('Ledger: payment');
    expect(first.text).toContain(`href="/admin/accounts/${customer.id}"`);
    expect(first.text).toMatch(/<span class="was">1\.0+<\/span> → 2\.0+/);
    expect(first.text).toContain('href="/admin/audit"');
    expect(first.text).toContain('href="/admin/audit?page=2"');

    const second = await agent.get('/admin/audit?page=2');
    const secondIds = ids(second.text);
    expect(secondIds).toHaveLength(13);
    expect(secondIds.some((id) => firstIds.includes(id))).toBe(false);
    expect(Math.max(...secondIds)).toBeLessThan(Math.min(...firstIds));
  });

  it('when filtered by actor, entity, action or dates, then only the matching changes are listed', async () => {
    const byActor = await agent.get(`/admin/audit?actor=${bob.id}`);
    expect(total(byActor.text)).toBe(2);
    expect(byActor.text).toContain('data-action="provider.create"');
    expect(byActor.text).not.toContain('data-action="did.update"');
    expect(total((await agent.get('/admin/audit?entity=provider')).text)).toBe(1);
    expect(total((await agent.get('/admin/audit?action=did.update')).text)).toBe(60);
    const byDates = await agent.get('/admin/audit?from=2026-11-12&to=2026-11-15');
    expect(total(byDates.text)).toBe(2);
    expect(byDates.text).toContain('data-action="ledger.payment"');
    expect(total((await agent.get(`/admin/audit?actor=${ann.id}&from=2026-11-11`)).text)).toBe(0);
  });

  it('when a filter is not valid, then the page answers 400 with the message at the field', async () => {
    const bad = await agent.get('/admin/audit?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Use a date like 2026-11-29');
    const reversed = await agent.get('/admin/audit?from=2026-11-15&to=2026-11-12');
    expect(reversed.status).toBe(400);
    expect(reversed.text).toContain('The end date is before the start date');
  });

  it('when exported with filters, then the CSV streams the matching changes newest first', async () => {
    const csv = await agent.get(`/admin/audit/export.csv?actor=${bob.id}`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('audit-log.csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('id,created_at,actor_id,actor_name,action,entity_type,entity_id,ip,before,after');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('2026-11-15T23:30:00.000Z');
    expect(lines[1]).toContain('ledger.payment');
    expect(lines[2]).toContain('provider.create');
    expect((await agent.get('/admin/audit/export.csv')).text.trim().split('\n')).toHaveLength(64);
    const bad = await agent.get('/admin/audit/export.csv?to=nope');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('to:');
  });

  it('when a reseller or a customer asks for it, then it is refused, and a visitor is sent to log in', async () => {
    for (const account of [reseller, customer]) {
      const other = await loginAs(app, account.email);
      expect((await other.get('/admin/audit')).status).toBe(403);
      expect((await other.get('/admin/audit/export.csv')).status).toBe(403);
      expect((await other.get(`/${account.role}`)).text).not.toContain('href="/admin/audit"');
    }
    const anonymous = await (await import('supertest')).default(app).get('/admin/audit');
    expect(anonymous.status).toBe(302);
  });
});
