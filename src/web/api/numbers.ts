// /api/v1/numbers: the numbers this account holds (a reseller's with buy and sell terms, a
// customer's with its forwarding); forward one, set a reseller's sell terms, release one.
import { z } from 'zod';
import { listHeldDids, listOwnedDids, type HeldRow, type OwnedRow } from '../../db/repos/did-listings.ts';
import type { AccountRow } from '../../db/repos/accounts.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { buyTermsOf, sellTermsOf, setForwarding, setSellTerms } from '../../services/did-holdings.ts';
import { releaseDid } from '../../services/releases.ts';
import type { AppContext } from '../context.ts';
import { apiRoute, type ApiRoute } from './registry.ts';
import { e164, iso, money, moneyInput, nullableTimestamp } from './schemas.ts';

const termsSchema = z
  .object({
    setup_fee: money, monthly_fee: money, connection_cost: money, grace_seconds: z.number().int(),
    cost_per_minute: money, initial_increment: z.number().int(), increment: z.number().int(),
  })
  .openapi('PriceTerms');

const numberSchema = z
  .object({
    object: z.literal('number'),
    number: e164,
    country: z.string().nullable(),
    region: z.string().nullable(),
    city: z.string().nullable(),
    status: z.enum(['active', 'suspended']).nullable(),
    billing_type: z.enum(['one_time', 'recurring']),
    billing_days: z.number().int(),
    next_billing_at: nullableTimestamp,
    forwarding: z.object({ type: z.enum(['sip_uri', 'pstn', 'extension']), destination: z.string() }).nullable().optional(),
    terms: termsSchema.optional().openapi({ description: 'What this account pays (a customer)' }),
    buy_terms: termsSchema.optional().openapi({ description: 'What this reseller pays' }),
    sell_terms: termsSchema.nullable().optional().openapi({ description: "What this reseller's customers pay (null: not for sale to them)" }),
    customer_id: z.number().int().nullable().optional(),
  })
  .openapi('Number');

const seconds = z.number({ message: 'Whole seconds' }).int('Whole seconds').min(0, 'Whole seconds').max(86_400, 'At most 86400');
const patchBody = z
  .object({
    forwarding: z.object({ type: z.enum(['sip_uri', 'pstn', 'extension'], { message: 'sip_uri, pstn or extension' }), destination: z.string().max(255) }).optional(),
    sell_terms: z
      .object({
        setup_fee: moneyInput, monthly_fee: moneyInput, connection_cost: moneyInput, grace_seconds: seconds,
        cost_per_minute: moneyInput, initial_increment: seconds, increment: seconds,
      })
      .optional(),
  })
  .refine((body) => body.forwarding !== undefined || body.sell_terms !== undefined, { message: 'Send forwarding or sell_terms', path: ['forwarding'] });

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

export function numbersRoutes({ db, now }: AppContext): ApiRoute[] {
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
      summary: 'Forward a number (a customer) or set its sell terms (a reseller)',
      params: numberParams, body: patchBody,
      responses: { 200: { description: 'The number, changed', schema: numberSchema } },
      handler: async ({ caller, params, body }) => {
        const { account } = caller;
        const found = await one(account, params.e164);
        if (account.role === 'reseller') {
          if (body.forwarding) throw new ValidationError('A reseller’s number forwards where the customer who owns it says', { forwarding: 'Only the customer who owns the number forwards it' });
          await setSellTerms(db, { resellerId: account.id, productId: found.id, terms: body.sell_terms!, now: now(), actorId: account.id });
        } else {
          if (body.sell_terms) throw new ValidationError('Only resellers set sell terms', { sell_terms: 'Only resellers set sell terms' });
          try {
            await setForwarding(db, { customerId: account.id, productId: found.id, type: body.forwarding!.type, destination: body.forwarding!.destination, now: now(), actorId: account.id });
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error;
            throw new ValidationError(error.message, Object.fromEntries(Object.entries(error.fields).map(([field, message]) => [`forwarding.${field === 'destination_type' ? 'type' : field}`, message])));
          }
        }
        return { body: (await one(account, params.e164)).view };
      },
    }),
    apiRoute({
      method: 'delete', path: '/numbers/:e164', tag: 'Numbers', scope: 'numbers:write', roles,
      summary: 'Release a number to its seller (no refund; a reseller cannot release a number a customer owns)',
      params: numberParams,
      responses: { 204: { description: 'Released' }, 409: { description: 'A customer owns this reseller’s number' } },
      handler: async ({ caller, params }) => {
        const found = await one(caller.account, params.e164);
        await releaseDid(db, { accountId: caller.account.id, productId: found.id, now: now(), actorId: caller.account.id });
        return { status: 204, body: null };
      },
    }),
  ];
}
