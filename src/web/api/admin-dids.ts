// /api/v1/admin/dids: the admin's DID inventory for its own systems (admin keys with the
// inventory scopes): the list with the admin list's filters, one DID created, its terms changed,
// removed. The same services as the admin's DID pages, so the same rules: a new number must be
// new, terms apply to new purchases only, a number someone holds is reclaimed before removal.
import { z } from 'zod';
import type { DidListRow } from '../../db/repos/dids.ts';
import type { DidInput } from '../../domain/did-terms.ts';
import { createDid, listDidsAfter, loadDidByNumber, removeDid, updateDidTerms } from '../../services/inventory.ts';
import type { AppContext } from '../context.ts';
import { didCreateBody, didListQuery, didPatchBody, didSchema } from './admin-dids-schema.ts';
import { apiRoute, type ApiRoute } from './registry.ts';
import { e164, iso, listOf } from './schemas.ts';

const id = (value: number | string | null) => (value === null ? null : Number(value));

function presentDid(row: DidListRow) {
  return {
    object: 'did' as const, id: Number(row.id), number: row.number, provider_id: id(row.provider_id), country: row.country, province: row.province, city: row.city,
    status: row.status, holder: row.holder, reseller_id: id(row.reseller_id), customer_id: id(row.customer_id), archived_at: iso(row.archived_at),
    buy_cost: row.buy_cost, setup_fee: row.setup_fee, monthly_fee: row.monthly_fee, connection_cost: row.connection_cost, grace_seconds: row.grace_seconds,
    cost_per_minute: row.cost_per_minute, initial_increment: row.initial_increment, increment: row.increment, call_timeout: row.call_timeout,
    billing_type: row.billing_type, billing_days: row.billing_days, billing_period: row.billing_period, concurrent_calls: row.concurrent_calls,
    created_at: row.created_at.toISOString(),
  };
}

/** The JSON body as the admin form's input (parseDidTerms reads strings and numbers alike). */
function formInput(body: Partial<z.infer<typeof didCreateBody>>): DidInput {
  const { provider_id: providerId, ...rest } = body;
  return { ...rest, ...(providerId !== undefined ? { provider: String(providerId) } : {}) };
}

const numberParams = z.object({ e164 });
const base = { tag: 'Admin inventory', roles: ['admin'] } satisfies Partial<ApiRoute>;

export function adminDidsRoutes({ db, now }: AppContext): ApiRoute[] {
  return [
    apiRoute({
      ...base, method: 'get', path: '/admin/dids', scope: 'inventory:read', summary: 'The DID inventory, by number, with the admin list’s filters',
      query: didListQuery,
      responses: { 200: { description: 'DIDs', schema: listOf(didSchema, 'DidList') } },
      handler: async ({ query }) => {
        const { limit, starting_after: after, provider, billing_type: billingType, ...filters } = query;
        const rows = await listDidsAfter(db, { ...filters, providerId: provider, billingType }, after, limit + 1);
        return { body: { object: 'list', data: rows.slice(0, limit).map(presentDid), has_more: rows.length > limit } };
      },
    }),
    apiRoute({
      ...base, method: 'get', path: '/admin/dids/:e164', scope: 'inventory:read', summary: 'A DID of the inventory',
      params: numberParams,
      responses: { 200: { description: 'The DID', schema: didSchema } },
      handler: async ({ params }) => ({ body: presentDid(await loadDidByNumber(db, params.e164)) }),
    }),
    apiRoute({
      ...base, method: 'post', path: '/admin/dids', scope: 'inventory:write', summary: 'Add a DID with its terms (the Create DID form’s rules)',
      body: didCreateBody,
      responses: { 201: { description: 'The DID', schema: didSchema } },
      handler: async ({ req, caller, body }) => {
        const created = await createDid(db, formInput(body), { actorId: caller.account.id, now: now(), ip: req.ip ?? null });
        return { status: 201, body: presentDid(await loadDidByNumber(db, created.number)) };
      },
    }),
    apiRoute({
      ...base, method: 'patch', path: '/admin/dids/:e164', scope: 'inventory:write', summary: 'Change a DID’s terms (new purchases only: subscriptions keep theirs)',
      params: numberParams, body: didPatchBody,
      responses: { 200: { description: 'The DID, changed', schema: didSchema } },
      handler: async ({ req, caller, params, body }) => {
        const current = await loadDidByNumber(db, params.e164);
        // Only what the body sends changes, over the terms as they are under the row's lock.
        await updateDidTerms(db, current.id, formInput(body), { actorId: caller.account.id, now: now(), ip: req.ip ?? null }, { patch: true });
        return { body: presentDid(await loadDidByNumber(db, params.e164)) };
      },
    }),
    apiRoute({
      ...base, method: 'delete', path: '/admin/dids/:e164', scope: 'inventory:write',
      summary: 'Remove a DID: deleted when never sold, else archived (its history kept); a held number must be reclaimed first',
      params: numberParams,
      responses: {
        200: { description: 'What was done', schema: z.object({ object: z.literal('did_removal'), number: e164, result: z.enum(['deleted', 'archived']) }).openapi('DidRemoval') },
        409: { description: 'An account holds the number, or it is archived already' },
      },
      handler: async ({ req, caller, params }) => {
        const current = await loadDidByNumber(db, params.e164);
        const result = await removeDid(db, current.id, { actorId: caller.account.id, now: now(), ip: req.ip ?? null });
        return { body: { object: 'did_removal', number: current.number, result } };
      },
    }),
  ];
}
