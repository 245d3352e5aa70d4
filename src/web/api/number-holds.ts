// /api/v1/number-holds: hold numbers for a while (none is offered to or bought by anyone else
// until the hold ends) at the prices of the moment (an order while the hold lives pays those),
// read a hold, release it.
import { z } from 'zod';
import { holdNumbers, loadHold, loadHolds, releaseHold, type HoldView } from '../../services/number-holds.ts';
import type { AppContext } from '../context.ts';
import { apiRoute, type ApiRoute } from './registry.ts';
import { e164, iso, listAnswer, listOf, money, nullableTimestamp, pageQuery, timestamp } from './schemas.ts';

export const DEFAULT_HOLD_MINUTES = 10;

export const holdSchema = z
  .object({
    object: z.literal('number_hold'),
    id: z.number().int(),
    status: z.enum(['active', 'released', 'expired', 'ordered']),
    numbers: z.array(e164),
    prices: z
      .array(z.object({ number: e164, setup_fee: money.nullable(), monthly_fee: money.nullable() }))
      .openapi({ description: 'The prices locked at hold time: an order of these numbers while the hold is active charges them (null: the current price)' }),
    created_at: timestamp,
    expires_at: timestamp,
    ended_at: nullableTimestamp,
  })
  .openapi('NumberHold');

export const holdBody = z.object({
  numbers: z.array(e164, { message: 'A list of numbers in E.164 form' }).min(1, 'Name at least one number').max(100, 'At most 100 numbers'),
  minutes: z.number({ message: 'Whole minutes' }).int('Whole minutes').min(1, 'At least 1 minute').optional(),
});

const idParams = z.object({ id: z.coerce.number({ message: 'A hold id' }).int().positive('A hold id').max(Number.MAX_SAFE_INTEGER) });

export function presentHold(hold: HoldView) {
  return {
    object: 'number_hold' as const,
    id: hold.id,
    status: hold.status,
    numbers: hold.numbers,
    prices: hold.items.map((item) => ({ number: item.number, setup_fee: item.setup_fee, monthly_fee: item.monthly_fee })),
    created_at: hold.created_at.toISOString(),
    expires_at: hold.expires_at.toISOString(),
    ended_at: iso(hold.ordered_at ?? hold.released_at ?? hold.expired_at),
  };
}

export function numberHoldsRoutes({ db, config, now }: AppContext): ApiRoute[] {
  return [
    apiRoute({
      method: 'post', path: '/number-holds', tag: 'Holds', scope: 'numbers:write', roles: ['reseller', 'customer'],
      summary: `Hold numbers (all or none) for \`minutes\` (default ${DEFAULT_HOLD_MINUTES}, at most API_HOLD_MAX_MINUTES)`,
      body: holdBody,
      responses: { 201: { description: 'The hold', schema: holdSchema }, 409: { description: 'A number is not available to hold' } },
      handler: async ({ caller, body }) => {
        const hold = await holdNumbers(db, {
          accountId: caller.account.id, numbers: body.numbers, minutes: body.minutes ?? DEFAULT_HOLD_MINUTES, maxMinutes: config.apiHoldMaxMinutes, now: now(),
        });
        return { status: 201, body: presentHold(hold) };
      },
    }),
    apiRoute({
      method: 'get', path: '/number-holds', tag: 'Holds', scope: 'numbers:read', summary: "This account's holds, newest first",
      query: pageQuery,
      responses: { 200: { description: 'Holds', schema: listOf(holdSchema, 'NumberHoldList') } },
      handler: async ({ caller, query }) => {
        const holds = await loadHolds(db, caller.account.id, { limit: query.limit + 1, belowId: query.starting_after }, now());
        return { body: listAnswer(holds.map(presentHold), query.limit) };
      },
    }),
    apiRoute({
      method: 'get', path: '/number-holds/:id', tag: 'Holds', scope: 'numbers:read', summary: 'A hold',
      params: idParams,
      responses: { 200: { description: 'The hold', schema: holdSchema } },
      handler: async ({ caller, params }) => ({ body: presentHold(await loadHold(db, caller.account.id, params.id, now())) }),
    }),
    apiRoute({
      method: 'delete', path: '/number-holds/:id', tag: 'Holds', scope: 'numbers:write', summary: 'Release a hold: its numbers are on offer again at once',
      params: idParams,
      responses: { 200: { description: 'The hold, released', schema: holdSchema } },
      handler: async ({ caller, params }) => ({ body: presentHold(await releaseHold(db, caller.account.id, params.id, now())) }),
    }),
  ];
}
