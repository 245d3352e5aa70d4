// /api/v1/numbers: the numbers this account holds (a reseller's with buy and sell terms, a
// customer's with its forwarding); forward one, set a reseller's sell terms or give the number to
// one of its customers (or take it back), release one.
import { z } from 'zod';
import { listHeldDids, listOwnedDids, type HeldRow, type OwnedRow } from '../../db/repos/did-listings.ts';
import type { AccountRow } from '../../db/repos/accounts.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { buyTermsOf, sellTermsOf, setForwarding } from '../../services/did-holdings.ts';
import { updateHeldNumber } from '../../services/customer-assignment.ts';
import { releaseDid } from '../../services/releases.ts';
import { pricingOf, releaseCreditOf } from '../routes/buy/pricing.ts';
import type { AppContext } from '../context.ts';
import { apiRoute, type ApiRoute } from './registry.ts';
import { numberSchema, patchBody } from './numbers-schema.ts';
import { e164, iso } from './schemas.ts';

const numberParams = z.object({ e164 });
const listQuery = z.object({
  limit: z.coerce.number().int().min(1, 'From 1 to 100').max(100, 'From 1 to 100').default(20),
  starting_after: e164.optional().openapi({ description: 'The last number of the page before' }),
  status: z.enum(['active', 'suspended']).optional(),
});

function presentOwned(row: OwnedRow) {
  return {
    object: 'number' as const, number: row.number, country: row.country, region: row.province, city: row.city, status: row.status,
    billing_type: row.billing_type, billing_days: row.billing_days, next_billing_at: iso(row.next_billing_at),
    forwarding: row.destination_type && row.destination ? { type: row.destination_type, destination: row.destination } : null,
    terms: {
      setup_fee: row.setup_fee, monthly_fee: row.price, connection_cost: row.connection_cost, grace_seconds: row.grace_seconds,
      cost_per_minute: row.cost_per_minute, initial_increment: row.initial_increment, increment: row.increment,
    },
  };
}

function presentHeld(row: HeldRow) {
  return {
    object: 'number' as const, number: row.number, country: row.country, region: row.province, city: row.city, status: row.subscription_status,
    billing_type: row.billing_type, billing_days: row.billing_days, next_billing_at: iso(row.next_billing_at),
    buy_terms: buyTermsOf(row), sell_terms: sellTermsOf(row) ?? null, customer_id: row.customer_id,
  };
}

export function numbersRoutes(context: AppContext): ApiRoute[] {
  const { db, now } = context;
  type Filters = { number?: string; after?: string; status?: 'active' | 'suspended' };
  const list = async (account: AccountRow, filters: Filters, limit: number) =>
    account.role === 'reseller'
      ? (await listHeldDids(db, account.id, filters, { limit, offset: 0 })).rows.map((row) => ({ id: row.id, view: presentHeld(row) }))
      : (await listOwnedDids(db, account.id, filters, { limit, offset: 0 })).rows.map((row) => ({ id: row.id, view: presentOwned(row) }));
  const one = async (account: AccountRow, number: string) => {
    const [found] = await list(account, { number }, 1);
    if (!found) throw new NotFoundError(`You hold no number ${number}`);
    return found;
  };
  const forward = async (customerId: number, productId: number, forwarding: { type: string; destination: string }) => {
    try {
      await setForwarding(db, { customerId, productId, type: forwarding.type, destination: forwarding.destination, now: now(), actorId: customerId });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(error.message, Object.fromEntries(Object.entries(error.fields).map(([field, message]) => [`forwarding.${field === 'destination_type' ? 'type' : field}`, message])));
    }
  };
  const roles: ApiRoute['roles'] = ['reseller', 'customer'];
  return [
    apiRoute({
      method: 'get', path: '/numbers', tag: 'Numbers', scope: 'numbers:read', roles, summary: 'The numbers this account holds, by number',
      query: listQuery,
      responses: { 200: { description: 'Numbers', schema: z.object({ object: z.literal('list'), data: z.array(numberSchema), has_more: z.boolean() }).openapi('NumberList') } },
      handler: async ({ caller, query }) => {
        const filters: Filters = { ...(query.starting_after ? { after: query.starting_after } : {}), ...(query.status ? { status: query.status } : {}) };
        const rows = await list(caller.account, filters, query.limit + 1);
        return { body: { object: 'list', data: rows.slice(0, query.limit).map((row) => row.view), has_more: rows.length > query.limit } };
      },
    }),
    apiRoute({
      method: 'get', path: '/numbers/:e164', tag: 'Numbers', scope: 'numbers:read', roles, summary: 'A number this account holds',
      params: numberParams,
      responses: { 200: { description: 'The number', schema: numberSchema } },
      handler: async ({ caller, params }) => ({ body: (await one(caller.account, params.e164)).view }),
    }),
    apiRoute({
      method: 'patch', path: '/numbers/:e164', tag: 'Numbers', scope: 'numbers:write', roles,
      summary: 'Forward a number (a customer); set its sell terms or its customer (a reseller)',
      params: numberParams, body: patchBody,
      responses: {
        200: { description: 'The number, changed', schema: numberSchema },
        402: { description: "The customer's available funds do not cover the setup fee and first period (charge: true); nothing changed" },
        409: { description: 'Another customer owns the number (unassign it first), or another account holds it' },
        422: { description: 'customer_id is not one of your customers, or the number has no sell terms' },
      },
      handler: async ({ caller, params, body }) => {
        const { account } = caller;
        const found = await one(account, params.e164);
        if (account.role === 'reseller') {
          if (body.forwarding) throw new ValidationError('A reseller’s number forwards where the customer who owns it says', { forwarding: 'Only the customer who owns the number forwards it' });
          await updateHeldNumber(db, {
            resellerId: account.id, productId: found.id, sellTerms: body.sell_terms, customerId: body.customer_id, charge: body.charge ?? true,
            now: now(), actorId: account.id, pricing: pricingOf(context), credit: releaseCreditOf(context),
          });
        } else {
          if (body.sell_terms || body.customer_id !== undefined) {
            const field = body.sell_terms ? 'sell_terms' : 'customer_id';
            throw new ValidationError('Only resellers set sell terms and assign numbers to customers', { [field]: 'Only resellers set this' });
          }
          await forward(account.id, found.id, body.forwarding!);
        }
        return { body: (await one(account, params.e164)).view };
      },
    }),
    apiRoute({
      method: 'delete', path: '/numbers/:e164', tag: 'Numbers', scope: 'numbers:write', roles,
      summary: 'Release a number to its seller (unused days credited only when CREDIT_UNUSED_DAYS_ON_RELEASE is on; a reseller cannot release a number a customer owns)',
      params: numberParams,
      responses: { 204: { description: 'Released' }, 409: { description: 'A customer owns this reseller’s number' } },
      handler: async ({ caller, params }) => {
        const found = await one(caller.account, params.e164);
        await releaseDid(db, { accountId: caller.account.id, productId: found.id, now: now(), actorId: caller.account.id, credit: releaseCreditOf(context) });
        return { status: 204, body: null };
      },
    }),
  ];
}
