// GET /api/v1/calls: this account's rated calls, newest first, with the filters of the Calls pages.
import { z } from 'zod';
import { loadCalls } from '../../services/call-lists.ts';
import type { AppContext } from '../context.ts';
import { apiRoute, type ApiRoute } from './registry.ts';
import { listOf, money, pageQuery, timestamp } from './schemas.ts';

const callSchema = z
  .object({
    object: z.literal('call'),
    id: z.number().int(),
    started_at: timestamp,
    caller: z.string(),
    number: z.string(),
    duration_seconds: z.number().int(),
    billsec: z.number().int(),
    billed_seconds: z.number().int(),
    hangup_cause: z.string().nullable(),
    cost: money.openapi({ description: 'What this account paid for the call' }),
  })
  .openapi('Call');

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date like 2026-01-31');
const callsQuery = pageQuery.extend({
  from: date.optional().openapi({ description: 'First day (UTC), inclusive' }),
  to: date.optional().openapi({ description: 'Last day (UTC), inclusive' }),
  number: z.string().regex(/^\+?\d{1,15}$/, 'Digits of the number').optional(),
});

export function callsRoutes({ db, config }: AppContext): ApiRoute[] {
  return [
    apiRoute({
      method: 'get', path: '/calls', tag: 'Calls', scope: 'calls:read', roles: ['reseller', 'customer'], summary: "This account's calls, newest first",
      query: callsQuery,
      responses: { 200: { description: 'Calls', schema: listOf(callSchema, 'CallList') } },
      handler: async ({ caller, query }) => {
        const scope = { role: caller.account.role as 'reseller' | 'customer', accountId: caller.account.id };
        const { rows } = await loadCalls(db, scope, { from: query.from, to: query.to, number: query.number, afterId: query.starting_after }, { limit: query.limit + 1, offset: 0 }, config.moneyDecimals);
        const data = rows.slice(0, query.limit).map((row) => ({
          object: 'call' as const, id: row.id, started_at: row.startedAt.toISOString(), caller: row.caller, number: row.number,
          duration_seconds: row.durationSeconds, billsec: row.billsec, billed_seconds: row.billedSeconds, hangup_cause: row.hangupCause, cost: row.yourCost,
        }));
        return { body: { object: 'list', data, has_more: rows.length > query.limit } };
      },
    }),
  ];
}
