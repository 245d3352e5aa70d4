// /api/v1/webhook-endpoints: the account's webhook endpoints, as on the Webhooks page (scope
// webhooks:write). The signing secret is part of the endpoint: only its account's keys read it.
import { z } from 'zod';
import { listWebhookEndpointsPage, type WebhookEndpointRow } from '../../db/repos/webhook-endpoints.ts';
import { WEBHOOK_EVENT_TYPES } from '../../domain/events.ts';
import { changeWebhookEndpoint, createWebhookEndpoint, findOwnEndpoint, removeWebhookEndpoint } from '../../services/webhooks.ts';
import type { AppContext } from '../context.ts';
import { apiRoute, type ApiRoute } from './registry.ts';
import { iso, listAnswer, listOf, nullableTimestamp, pageQuery, timestamp } from './schemas.ts';

const eventType = z.enum(WEBHOOK_EVENT_TYPES, { message: `One of ${WEBHOOK_EVENT_TYPES.join(', ')}` });

export const webhookEndpointSchema = z
  .object({
    object: z.literal('webhook_endpoint'),
    id: z.number().int(),
    url: z.string(),
    description: z.string(),
    events: z.array(eventType),
    secret: z.string().openapi({ description: 'The Standard Webhooks signing secret (whsec_…)' }),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    consecutive_failures: z.number().int(),
    created_at: timestamp,
    disabled_at: nullableTimestamp,
  })
  .openapi('WebhookEndpoint');

const url = z.string({ message: 'The URL that receives the events' }).trim().min(1, 'The URL that receives the events').max(2000, 'At most 2,000 characters');
const events = z.array(eventType, { message: 'A list of event types' }).min(1, 'At least one event');
const description = z.string({ message: 'Text' }).trim().max(500, 'At most 500 characters');

const createBody = z.object({ url, events, description: description.optional() });
const updateBody = z.object({ url: url.optional(), events: events.optional(), description: description.optional(), enabled: z.boolean({ message: 'true or false' }).optional() });
const idParams = z.object({ id: z.coerce.number({ message: 'An endpoint id' }).int().positive('An endpoint id').max(Number.MAX_SAFE_INTEGER) });

export function presentWebhookEndpoint(row: WebhookEndpointRow) {
  return {
    object: 'webhook_endpoint' as const,
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events as Array<(typeof WEBHOOK_EVENT_TYPES)[number]>,
    secret: row.secret,
    enabled: row.enabled,
    disabled_reason: row.disabled_reason,
    consecutive_failures: row.consecutive_failures,
    created_at: row.created_at.toISOString(),
    disabled_at: iso(row.disabled_at),
  };
}

export function webhookEndpointsRoutes({ db, config, now }: AppContext): ApiRoute[] {
  const settings = (actorId: number) => ({ allowHttp: config.webhookAllowHttp, actorId, now: now() });
  return [
    apiRoute({
      method: 'get', path: '/webhook-endpoints', tag: 'Webhooks', scope: 'webhooks:write', summary: "This account's webhook endpoints, newest first",
      query: pageQuery,
      responses: { 200: { description: 'Endpoints', schema: listOf(webhookEndpointSchema, 'WebhookEndpointList') } },
      handler: async ({ caller, query }) => {
        const rows = await listWebhookEndpointsPage(db, caller.account.id, { limit: query.limit + 1, belowId: query.starting_after });
        return { body: listAnswer(rows.map(presentWebhookEndpoint), query.limit) };
      },
    }),
    apiRoute({
      method: 'post', path: '/webhook-endpoints', tag: 'Webhooks', scope: 'webhooks:write', summary: 'Add an endpoint: its events are POSTed to `url`, signed with `secret`',
      body: createBody,
      responses: { 201: { description: 'The endpoint, with its signing secret', schema: webhookEndpointSchema } },
      handler: async ({ caller, body }) => {
        const row = await createWebhookEndpoint(db, caller.account.id, { url: body.url, events: body.events, description: body.description ?? '' }, settings(caller.account.id));
        return { status: 201, body: presentWebhookEndpoint(row) };
      },
    }),
    apiRoute({
      method: 'get', path: '/webhook-endpoints/:id', tag: 'Webhooks', scope: 'webhooks:write', summary: 'An endpoint',
      params: idParams,
      responses: { 200: { description: 'The endpoint', schema: webhookEndpointSchema } },
      handler: async ({ caller, params }) => ({ body: presentWebhookEndpoint(await findOwnEndpoint(db, caller.account.id, params.id)) }),
    }),
    apiRoute({
      method: 'patch', path: '/webhook-endpoints/:id', tag: 'Webhooks', scope: 'webhooks:write',
      summary: 'Change an endpoint: its URL, events, description; `enabled: true` enables it again (clearing its failure count)',
      params: idParams,
      body: updateBody,
      responses: { 200: { description: 'The endpoint', schema: webhookEndpointSchema } },
      handler: async ({ caller, params, body }) => {
        const accountId = caller.account.id;
        const current = await findOwnEndpoint(db, accountId, params.id);
        let row = current;
        if (body.url !== undefined || body.events !== undefined || body.description !== undefined) {
          const input = { url: body.url ?? current.url, events: body.events ?? current.events, description: body.description ?? current.description };
          row = await changeWebhookEndpoint(db, accountId, params.id, { kind: 'edit', input }, settings(accountId));
        }
        if (body.enabled !== undefined && body.enabled !== row.enabled) {
          row = await changeWebhookEndpoint(db, accountId, params.id, { kind: body.enabled ? 'enable' : 'disable' }, settings(accountId));
        }
        return { body: presentWebhookEndpoint(row) };
      },
    }),
    apiRoute({
      method: 'delete', path: '/webhook-endpoints/:id', tag: 'Webhooks', scope: 'webhooks:write', summary: 'Delete an endpoint: nothing more is sent to it',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ caller, params }) => {
        await removeWebhookEndpoint(db, caller.account.id, params.id, { actorId: caller.account.id, now: now() });
        return { status: 204, body: null };
      },
    }),
  ];
}
