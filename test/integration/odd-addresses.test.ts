// Addresses the fuzz suite sent that answered badly: a path parameter that is not valid
// percent-encoding (a 500), and a page address so long that its login redirect's Location header
// was over what clients and proxies read.
import type { Express } from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeHierarchy } from '../helpers/factories.ts';
import { loginAs, type Agent } from '../helpers/login.ts';

const database = useTestDatabase();
let app: Express;
let admin: Agent;

beforeAll(async () => {
  const { admin: account } = await makeHierarchy(database.current.db);
  app = createTestApp(database.current.db);
  admin = await loginAs(app, account.email);
});

describe('odd addresses', () => {
  it('when a path parameter is not valid percent-encoding, then the page is not found (404), not a 500', async () => {
    for (const path of ['/admin/dids/%E0%A4%A', '/admin/accounts/%/edit', '/admin/rate-plans/%zz']) {
      const response = await admin.get(path);
      expect(response.status, path).toBe(404);
      expect(response.text).toContain('There is no page at');
    }
  });

  it('when a visitor opens a page with a very long address, then the login redirect leaves the address out', async () => {
    const long = await request(app).get(`/admin/dids?q=${'x'.repeat(5_000)}`).redirects(0);
    expect(long.status).toBe(302);
    expect(long.headers.location).toBe('/login');
    const usual = await request(app).get('/admin/dids?q=415').redirects(0);
    expect(usual.headers.location).toBe(`/login?next=${encodeURIComponent('/admin/dids?q=415')}`);
  });
});
