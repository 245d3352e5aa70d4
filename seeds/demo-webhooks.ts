// Demo webhooks: Northwind (the demo reseller) has an endpoint with a delivery log, so the
// Webhooks page shows what it does. The endpoint points where nothing listens and is disabled, so
// the worker sends nothing; enable it after pointing it at a receiver of your own.
import type { Knex } from 'knex';
import { enqueueOutboxMessages, markOutboxAttemptFailed, markOutboxDelivered } from '../src/db/outbox.ts';
import { insertWebhookEndpoint } from '../src/db/repos/webhook-endpoints.ts';
import { webhookPayload } from '../src/domain/webhooks.ts';
import { newWebhookId, newWebhookSecret } from '../src/services/webhooks.ts';

const MINUTE_MS = 60_000;
const URL = 'http://localhost:9/didhub-demo';

export async function seedDemoWebhooks(trx: Knex.Transaction, options: { resellerId: number; now: Date }): Promise<void> {
  const { resellerId, now } = options;
  const ago = (minutes: number) => new Date(now.getTime() - minutes * MINUTE_MS);
  const endpoint = await insertWebhookEndpoint(trx, {
    account_id: resellerId, url: URL, description: 'Demo: our provisioning system (nothing listens here)',
    events: ['number.purchased', 'number.released', 'subscription.renewed', 'call.completed'], secret: newWebhookSecret(),
    enabled: false, disabled_reason: 'Demo endpoint: nothing listens at localhost:9. Point it at your receiver, then enable it.', disabled_at: ago(30),
    created_at: ago(3 * 24 * 60), updated_at: ago(30),
  });
  const bought = (await trx('subscriptions as s')
    .join('products as p', 'p.id', 's.product_id')
    .where('s.account_id', resellerId)
    .orderBy('s.id')
    .limit(2)
    .select('p.number', 'p.id as product_id', 's.id as subscription_id', 's.price', 's.billing_type', 's.next_billing_at')) as Array<{
    number: string; product_id: number; subscription_id: number; price: string; billing_type: string; next_billing_at: Date | null;
  }>;
  const message = (type: string, minutesAgo: number, data: Record<string, unknown>) => ({
    channel: 'webhook' as const, event: type, accountId: resellerId, recipient: URL, endpointId: endpoint.id,
    payload: { ...webhookPayload(newWebhookId(), { type, occurredAt: ago(minutesAgo), data }) }, notBefore: ago(minutesAgo),
  });
  const [test, ...purchases] = await enqueueOutboxMessages(trx, [
    message('webhook.test', 3 * 24 * 60 - 5, { endpoint_id: endpoint.id, message: 'A test event from didhub: your endpoint receives and verifies deliveries.' }),
    ...bought.map((row, i) => message('number.purchased', 120 - i * 10, {
      number: row.number, product_id: row.product_id, subscription_id: row.subscription_id, price: row.price,
      billing_type: row.billing_type, next_billing_at: row.next_billing_at?.toISOString() ?? null,
    })),
  ], ago(3 * 24 * 60));
  await markOutboxDelivered(trx, test!, { ok: true, responseCode: 200, detail: 'HTTP 200: ok', durationMs: 41, at: ago(3 * 24 * 60 - 5) });
  for (const [i, id] of purchases.entries()) {
    const refused = (minutesAgo: number) => ({ ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:9', durationMs: 3, at: ago(minutesAgo) });
    await markOutboxAttemptFailed(trx, id, refused(120 - i * 10), ago(119 - i * 10));
    await markOutboxAttemptFailed(trx, id, refused(119 - i * 10), undefined);
    await trx('outbox_messages').where({ id }).update({ attempts: 2 });
  }
  await trx('outbox_messages').where({ id: test }).update({ attempts: 1 });
}
