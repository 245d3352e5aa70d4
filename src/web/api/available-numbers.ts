// GET /api/v1/available-numbers: the Buy DIDs offer of the key's account, at the prices it pays.
import { z } from 'zod';
import type { OfferRow } from '../../db/queries/offers.ts';
import { loadOfferPage } from '../../services/did-holdings.ts';
import type { AppContext } from '../context.ts';
import { apiRoute, type ApiRoute } from './registry.ts';
import { e164, money, moneyInput } from './schemas.ts';

const offerSchema = z
  .object({
    object: z.literal('available_number'),
    number: e164,
    country: z.string().nullable(),
    region: z.string().nullable(),
    city: z.string().nullable(),
    setup_fee: money,
    monthly_fee: money,
    billing_type: z.enum(['one_time', 'recurring']),
    billing_days: z.number().int(),
    per_minute: z.object({
      connection_cost: money,
      grace_seconds: z.number().int(),
      cost_per_minute: money,
      initial_increment: z.number().int(),
      increment: z.number().int(),
    }),
    concurrent_calls: z.number().int(),
  })
  .openapi('AvailableNumber');

const listSchema = z.object({ object: z.literal('list'), data: z.array(offerSchema), has_more: z.boolean() }).openapi('AvailableNumberList');

const digitsText = (pattern: RegExp, message: string) => z.string().trim().regex(pattern, message).optional();

export const availableQuery = z.object({
  country: z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'A two-letter country code, like US').optional(),
  region: z.string().trim().min(1).max(100, 'At most 100 characters').optional(),
  city: z.string().trim().min(1).max(100, 'At most 100 characters').optional(),
  starts_with: digitsText(/^\+?\d{1,15}$/, 'Digits the number starts with, like 1415'),
  contains: digitsText(/^[\d*]{1,15}$/, 'Digits, with * for any one digit, like 555*12'),
  max_monthly: moneyInput.optional(),
  max_setup: moneyInput.optional(),
  billing_type: z.enum(['one_time', 'recurring'], { message: 'one_time or recurring' }).optional(),
  sort: z.enum(['number', 'monthly', 'setup'], { message: 'number, monthly or setup' }).default('number'),
  limit: z.coerce.number().int().min(1, 'From 1 to 100').max(100, 'From 1 to 100').default(20),
  starting_after: e164.optional().openapi({ description: 'The last number of the page before' }),
});

function present(row: OfferRow) {
  return {
    object: 'available_number' as const,
    number: row.number, country: row.country, region: row.province, city: row.city,
    setup_fee: row.setup_fee, monthly_fee: row.monthly_fee, billing_type: row.billing_type, billing_days: row.billing_days,
    per_minute: {
      connection_cost: row.connection_cost, grace_seconds: row.grace_seconds, cost_per_minute: row.cost_per_minute,
      initial_increment: row.initial_increment, increment: row.increment,
    },
    concurrent_calls: row.concurrent_calls,
  };
}

export function availableNumbersRoutes({ db, now }: AppContext): ApiRoute[] {
  return [
    apiRoute({
      method: 'get', path: '/available-numbers', tag: 'Numbers', scope: 'numbers:read', roles: ['reseller', 'customer'],
      summary: 'Search the numbers this account may buy, at its prices',
      query: availableQuery,
      responses: { 200: { description: 'Numbers on offer (numbers another account holds are left out)', schema: listSchema } },
      handler: async ({ caller, query }) => {
        const rows = await loadOfferPage(db, caller.account.id, {
          filters: {
            country: query.country, province: query.region, city: query.city, prefix: query.starts_with?.replace(/^\+/, ''), contains: query.contains,
            maxMonthly: query.max_monthly, maxSetup: query.max_setup, billingType: query.billing_type,
          },
          order: query.sort, after: query.starting_after, window: { limit: query.limit + 1, offset: 0 }, countless: true,
        }, now());
        return { body: { object: 'list', data: rows.slice(0, query.limit).map(present), has_more: rows.length > query.limit } };
      },
    }),
  ];
}
