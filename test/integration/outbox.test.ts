// The durable outbox that mail and webhooks share: written in the change's transaction, claimed
// with SKIP LOCKED and a lease, retried on the schedule, failed for good when told so.
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/knex.ts';
import {
  enqueueOutboxMessages, findOutboxMessage, listOutboxAttempts, markOutboxAttemptFailed, markOutboxDelivered, requeueOutboxMessage, type OutboxMessageRow,
} from '../../src/db/outbox.ts';
import { pruneOutbox } from '../../src/services/outbox-retention.ts';
import { countOutboxByStatus, listOutboxMessages } from '../../src/db/queries/outbox.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { deliverDueMessages, drainOutbox, LEASE_SECONDS, type DeliveryOutcome, type OutboxDeliverer } from '../../src/services/outbox-worker.ts';
import { testServerUrl, useTestDatabase } from '../helpers/database.ts';
import { makeHierarchy } from '../helpers/factories.ts';

const database = useTestDatabase();
const NOW = new Date('2027-03-01T12:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

function recorder(outcome: (message: OutboxMessageRow) => DeliveryOutcome = () => ({ ok: true, responseCode: 250 })) {
  const delivered: number[] = [];
  const deliverer: OutboxDeliverer = {
    channel: 'mail',
    async deliver(message) {
      delivered.push(message.id);
      return outcome(message);
    },
  };
  return { delivered, deliverer };
}

const mail = (recipient: string, extra: Record<string, unknown> = {}) => ({
  channel: 'mail' as const, event: 'test.event', accountId: null, recipient, payload: { subject: `to ${recipient}` }, ...extra,
});

describe('outbox', () => {
  it('when a change rolls back, then its messages are gone with it', async () => {
    const db = database.current.db;
    await expect(
      inTransaction(db, async (trx) => {
        await enqueueOutboxMessages(trx, [mail('rolled-back@example.com')], NOW);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const { rows } = await listOutboxMessages(db, { recipient: 'rolled-back@' }, { limit: 10, offset: 0 });
    expect(rows).toEqual([]);
  });

  it('when a message is due, then it is delivered once, with its attempt logged', async () => {
    const db = database.current.db;
    const { customer: account } = await makeHierarchy(db);
    const [id] = await enqueueOutboxMessages(db, [mail('once@example.com', { accountId: account.id })], NOW);
    const { delivered, deliverer } = recorder();
    const summary = await drainOutbox(db, deliverer, { now: () => at(1) });
    expect(summary.delivered).toBeGreaterThanOrEqual(1);
    expect(delivered.filter((each) => each === id)).toHaveLength(1);
    const message = await findOutboxMessage(db, id!);
    expect(message).toMatchObject({ status: 'delivered', attempts: 1, payload: { subject: 'to once@example.com' } });
    const attempts = await listOutboxAttempts(db, id!);
    expect(attempts).toMatchObject([{ ok: true, response_code: 250 }]);
    const again = recorder();
    await drainOutbox(db, again.deliverer, { now: () => at(2) });
    expect(again.delivered).not.toContain(id);
  });

  it('when a delivery fails for a while, then it is retried on the schedule and delivered once the receiver is back', async () => {
    const db = database.current.db;
    const [id] = await enqueueOutboxMessages(db, [mail('flaky@example.com')], NOW);
    let failures = 2;
    const { delivered, deliverer } = recorder((message) =>
      message.id === id && failures-- > 0 ? { ok: false, permanent: false, responseCode: 421, detail: '421 try later' } : { ok: true },
    );
    await deliverDueMessages(db, deliverer, { now: () => at(0) });
    expect((await findOutboxMessage(db, id!))).toMatchObject({ status: 'pending', attempts: 1, last_error: '421 try later' });
    // Not due again before 5 seconds have passed.
    await deliverDueMessages(db, deliverer, { now: () => at(4) });
    expect(delivered.filter((each) => each === id)).toHaveLength(1);
    await deliverDueMessages(db, deliverer, { now: () => at(6) });
    await deliverDueMessages(db, deliverer, { now: () => at(6 + 299) });
    expect((await findOutboxMessage(db, id!))?.status).toBe('pending');
    await deliverDueMessages(db, deliverer, { now: () => at(6 + 301) });
    expect(await findOutboxMessage(db, id!)).toMatchObject({ status: 'delivered', attempts: 3 });
    expect((await listOutboxAttempts(db, id!)).map((each) => each.ok)).toEqual([true, false, false]);
  });

  it('when a delivery is refused for good, then the message fails at once, and Retry sends it again', async () => {
    const db = database.current.db;
    const [id] = await enqueueOutboxMessages(db, [mail('gone@example.com')], NOW);
    let refuse = true;
    const { deliverer } = recorder((message) => (message.id === id && refuse ? { ok: false, permanent: true, responseCode: 550, detail: '550 no such user' } : { ok: true }));
    await drainOutbox(db, deliverer, { now: () => at(0) });
    expect(await findOutboxMessage(db, id!)).toMatchObject({ status: 'failed', last_error: '550 no such user' });
    refuse = false;
    expect(await requeueOutboxMessage(db, id!, at(10))).toBe(true);
    await drainOutbox(db, deliverer, { now: () => at(10) });
    expect(await findOutboxMessage(db, id!)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('when every retry on the schedule fails, then the message is marked failed after more than a day', async () => {
    const db = database.current.db;
    const [id] = await enqueueOutboxMessages(db, [mail('down@example.com')], NOW);
    const { deliverer } = recorder((message) => (message.id === id ? { ok: false, permanent: false, detail: 'connection refused' } : { ok: true }));
    let clock = 0;
    for (let round = 0; round < 10; round += 1) {
      await deliverDueMessages(db, deliverer, { now: () => at(clock) });
      clock += 40_000;
    }
    const message = await findOutboxMessage(db, id!);
    expect(message).toMatchObject({ status: 'failed', attempts: 8 });
    expect(message!.failed_at!.getTime() - NOW.getTime()).toBeGreaterThan(24 * 3600 * 1000);
  });

  it('when a worker dies holding a message, then another takes it once the lease has run out', async () => {
    const db = database.current.db;
    const [id] = await enqueueOutboxMessages(db, [mail('lease@example.com')], NOW);
    const { deliverer } = recorder((message) => {
      if (message.id === id) throw new Error('worker died');
      return { ok: true };
    });
    // A throwing deliverer is a failed try (not a crash of the loop): to model a dead worker, claim without finishing.
    const { claimOutboxMessages } = await import('../../src/db/outbox.ts');
    const claimed = await claimOutboxMessages(db, 'mail', { limit: 100, leaseSeconds: LEASE_SECONDS, now: at(0) });
    expect(claimed.map((each) => each.id)).toContain(id);
    const during = recorder();
    await deliverDueMessages(db, during.deliverer, { now: () => at(LEASE_SECONDS - 1) });
    expect(during.delivered).not.toContain(id);
    const after = recorder();
    await deliverDueMessages(db, after.deliverer, { now: () => at(LEASE_SECONDS + 1) });
    expect(after.delivered).toContain(id);
    expect(deliverer.channel).toBe('mail');
  });

  it('when a dedupe key is used twice, then one message is kept', async () => {
    const db = database.current.db;
    const first = await enqueueOutboxMessages(db, [mail('dedupe@example.com', { dedupeKey: 'low-balance:1:crossing-7' })], NOW);
    const second = await enqueueOutboxMessages(db, [mail('dedupe@example.com', { dedupeKey: 'low-balance:1:crossing-7' })], NOW);
    expect(first).toHaveLength(1);
    expect(second).toEqual([]);
    const { total } = await listOutboxMessages(db, { recipient: 'dedupe@example.com' }, { limit: 10, offset: 0 });
    expect(total).toBe(1);
  });

  it('when messages were settled longer ago than the retention, then they go with their tries and pending ones stay', async () => {
    const db = database.current.db;
    const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
    const [oldDelivered, recentDelivered, oldFailed, oldPending] = await enqueueOutboxMessages(
      db,
      ['old-delivered', 'recent-delivered', 'old-failed', 'old-pending'].map((name) => mail(`${name}@retention.example`)),
      daysAgo(200),
    );
    await markOutboxDelivered(db, oldDelivered!, { ok: true, durationMs: 5, at: daysAgo(91) });
    await markOutboxDelivered(db, recentDelivered!, { ok: true, durationMs: 5, at: daysAgo(89) });
    await markOutboxAttemptFailed(db, oldFailed!, { ok: false, detail: 'refused', durationMs: 5, at: daysAgo(120) }, undefined);

    expect(await pruneOutbox(db, { retentionDays: 0, now: NOW })).toBe(0);
    expect(await findOutboxMessage(db, oldDelivered!)).toBeDefined();

    expect(await pruneOutbox(db, { retentionDays: 90, now: NOW })).toBeGreaterThanOrEqual(2);
    expect(await findOutboxMessage(db, oldDelivered!)).toBeUndefined();
    expect(await listOutboxAttempts(db, oldDelivered!)).toEqual([]);
    expect(await findOutboxMessage(db, oldFailed!)).toBeUndefined();
    expect(await findOutboxMessage(db, recentDelivered!)).toMatchObject({ status: 'delivered' });
    expect(await findOutboxMessage(db, oldPending!)).toMatchObject({ status: 'pending' });
  });

  it('when messages are listed, then filters, counts and pages apply', async () => {
    const db = database.current.db;
    await enqueueOutboxMessages(db, Array.from({ length: 7 }, (_, i) => mail(`list-${i}@example.org`)), NOW);
    const page = await listOutboxMessages(db, { recipient: '@example.org', status: 'pending' }, { limit: 5, offset: 5 });
    expect(page.total).toBe(7);
    expect(page.rows).toHaveLength(2);
    const counts = await countOutboxByStatus(db, 'mail');
    expect(counts.pending).toBeGreaterThanOrEqual(7);
  });
});

describe.skipIf(!testServerUrl())('outbox workers on real Postgres', () => {
  it('when eight workers drain 400 messages at once, then each message is delivered exactly once', async () => {
    const db = database.current.db;
    const ids = await enqueueOutboxMessages(db, Array.from({ length: 400 }, (_, i) => mail(`race-${i}@example.net`)), NOW);
    const workers = Array.from({ length: 8 }, () => createDb({ databaseUrl: database.current.url!, poolMax: 2 }));
    try {
      const recorders = workers.map(() => recorder());
      await Promise.all(workers.map((worker, i) => drainOutbox(worker, recorders[i]!.deliverer, { now: () => at(1), limit: 7 })));
      const all = recorders.flatMap((each) => each.delivered).filter((id) => ids.includes(id));
      expect(all).toHaveLength(400);
      expect(new Set(all).size).toBe(400);
      // More than one worker took part, or the test proves nothing about concurrency.
      expect(recorders.filter((each) => each.delivered.length > 0).length).toBeGreaterThan(1);
    } finally {
      await Promise.all(workers.map((worker) => worker.destroy()));
    }
  });
});
