// Webhook endpoints: rows always read through their account (a wrong account finds nothing).
import type { Db } from '../knex.ts';

export interface WebhookEndpointRow {
  id: number;
  account_id: number;
  url: string;
  description: string;
  events: string[];
  secret: string;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  consecutive_failures: number;
  failing_since: Date | null;
  last_success_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewWebhookEndpoint {
  account_id: number;
  url: string;
  description: string;
  events: string[];
  secret: string;
  enabled?: boolean;
  disabled_reason?: string | null;
  disabled_at?: Date | null;
  created_at: Date;
  updated_at: Date;
}

// text[] comes back as an array on pg; PGlite may hand back the array literal.
function toEndpoint(row: WebhookEndpointRow): WebhookEndpointRow {
  const events = row.events as unknown;
  if (typeof events !== 'string') return row;
  const inner = events.replace(/^\{|\}$/g, '');
  return { ...row, events: inner === '' ? [] : inner.split(',').map((each) => each.replace(/^"|"$/g, '')) };
}

export async function insertWebhookEndpoint(db: Db, row: NewWebhookEndpoint): Promise<WebhookEndpointRow> {
  const [inserted] = (await db('webhook_endpoints').insert(row).returning('*')) as WebhookEndpointRow[];
  return toEndpoint(inserted!);
}

export async function findWebhookEndpoint(db: Db, accountId: number, id: number): Promise<WebhookEndpointRow | undefined> {
  const row = (await db('webhook_endpoints').where({ id, account_id: accountId }).first()) as WebhookEndpointRow | undefined;
  return row && toEndpoint(row);
}

/** For the deliverer, which acts for no account: the endpoint a message was written for. */
export async function findWebhookEndpointById(db: Db, id: number): Promise<WebhookEndpointRow | undefined> {
  const row = (await db('webhook_endpoints').where({ id }).first()) as WebhookEndpointRow | undefined;
  return row && toEndpoint(row);
}

/** Locks the endpoint's row: failure counts from concurrent workers add up. */
export async function lockWebhookEndpoint(db: Db, id: number): Promise<WebhookEndpointRow | undefined> {
  const row = (await db('webhook_endpoints').where({ id }).forUpdate().first()) as WebhookEndpointRow | undefined;
  return row && toEndpoint(row);
}

export async function listWebhookEndpoints(db: Db, accountId: number): Promise<WebhookEndpointRow[]> {
  const rows = (await db('webhook_endpoints').where({ account_id: accountId }).orderBy('id')) as WebhookEndpointRow[];
  return rows.map(toEndpoint);
}

/** A page of this account's endpoints, newest first, below a cursor id (the API's list). */
export async function listWebhookEndpointsPage(db: Db, accountId: number, page: { limit: number; belowId?: number | undefined }): Promise<WebhookEndpointRow[]> {
  const query = db('webhook_endpoints').where({ account_id: accountId }).orderBy('id', 'desc').limit(page.limit);
  if (page.belowId !== undefined) query.where('id', '<', page.belowId);
  return ((await query) as WebhookEndpointRow[]).map(toEndpoint);
}

export type WebhookEndpointChanges = Partial<
  Pick<WebhookEndpointRow, 'url' | 'description' | 'events' | 'secret' | 'enabled' | 'disabled_reason' | 'disabled_at' | 'consecutive_failures' | 'failing_since' | 'last_success_at'>
> & { updated_at: Date };

export async function updateWebhookEndpoint(db: Db, id: number, changes: WebhookEndpointChanges): Promise<void> {
  await db('webhook_endpoints').where({ id }).update(changes);
}

export async function deleteWebhookEndpoint(db: Db, accountId: number, id: number): Promise<boolean> {
  return (await db('webhook_endpoints').where({ id, account_id: accountId }).delete()) > 0;
}

/** Enabled endpoints of these accounts that want any of these event types: the subscriber's one read per batch of events. */
export async function listSubscribedEndpoints(db: Db, accountIds: number[], types: string[]): Promise<WebhookEndpointRow[]> {
  if (accountIds.length === 0 || types.length === 0) return [];
  const rows = (await db('webhook_endpoints')
    .where('enabled', true)
    .whereRaw('account_id = ANY(?::bigint[])', [accountIds])
    .whereRaw('events && ?::text[]', [types])
    .orderBy('id')) as WebhookEndpointRow[];
  return rows.map(toEndpoint);
}

/** Which of these accounts have an enabled endpoint for `type`: one indexed read per CDR batch. */
export async function accountsSubscribedTo(db: Db, accountIds: number[], type: string): Promise<Set<number>> {
  if (accountIds.length === 0) return new Set();
  const rows = (await db('webhook_endpoints')
    .distinct('account_id')
    .where('enabled', true)
    .whereRaw('account_id = ANY(?::bigint[])', [accountIds])
    .whereRaw('? = ANY(events)', [type])) as Array<{ account_id: number }>;
  return new Set(rows.map((row) => Number(row.account_id)));
}

/** Endpoints of this account that were disabled for failing (an owner's own disable leaves no reason): the dashboard's notices. */
export async function listFailedEndpoints(db: Db, accountId: number): Promise<Array<Pick<WebhookEndpointRow, 'id' | 'url' | 'disabled_reason' | 'disabled_at'>>> {
  return (await db('webhook_endpoints')
    .where({ account_id: accountId, enabled: false })
    .whereNotNull('disabled_reason')
    .orderBy('id')
    .select('id', 'url', 'disabled_reason', 'disabled_at')) as Array<Pick<WebhookEndpointRow, 'id' | 'url' | 'disabled_reason' | 'disabled_at'>>;
}
