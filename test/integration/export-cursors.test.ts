// The CSV exports read in keyset batches; a list ordered by name (providers, rate plans) must come
// out batch after batch in the page's order, each row once, whatever order the ids are in.
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import { listProviderBatch, listProviders } from '../../src/db/repos/providers.ts';
import { listRatePlanBatch, listRatePlans } from '../../src/db/repos/rate-plans.ts';
import { keysetBatches } from '../../src/services/csv-export.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { makeAccount, makeProvider, makeRatePlan } from '../helpers/factories.ts';

const database = useTestDatabase();

async function all<Row>(batches: AsyncIterable<Row[]>): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of batches) rows.push(...batch);
  return rows;
}

describe('export cursors in name order', () => {
  let db: Knex;
  beforeAll(() => {
    db = database.current.db;
  });

  it('when providers are exported two at a time, then they come in the page\'s name order, each once', async () => {
    for (const name of ['zeta cursor', 'Alpha cursor', 'mu cursor', 'Gamma cursor', 'beta cursor']) await makeProvider(db, name);
    const page = await listProviders(db, { q: 'cursor', limit: 50, offset: 0 });
    const exported = await all(keysetBatches((after: number | undefined, limit) => listProviderBatch(db, 'cursor', after, limit), (row) => row.id, 2));
    expect(exported.map((row) => row.id)).toEqual(page.map((row) => row.id));
    expect(exported.map((row) => row.name.toLowerCase())).toEqual(['alpha cursor', 'beta cursor', 'gamma cursor', 'mu cursor', 'zeta cursor']);
  });

  it('when rate plans are exported two at a time, then they come in the page\'s name order, each once', async () => {
    const admin = await makeAccount(db, { role: 'admin' });
    const at = new Date('2027-01-01T00:00:00Z');
    for (const name of ['Zed plan', 'able plan', 'Kilo plan', 'Bravo plan', 'echo plan']) await makeRatePlan(db, { owner_id: null, name, created_by: admin.id, at });
    const page = await listRatePlans(db, null, { q: 'plan' }, { limit: 50, offset: 0 });
    const exported = await all(keysetBatches((after: number | undefined, limit) => listRatePlanBatch(db, null, { q: 'plan' }, after, limit), (row) => row.id, 2));
    expect(exported.map((row) => row.id)).toEqual(page.map((row) => row.id));
    expect(new Set(exported.map((row) => row.id)).size).toBe(exported.length);
  });
});
