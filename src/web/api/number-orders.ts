// /api/v1/number-orders: buy numbers (listed ones, or a hold's) all or none, with an
// Idempotency-Key; the answer is the receipt. Listed numbers under the caller's hold leave it.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../../errors.ts';
import { answerOnce } from '../../services/idempotency.ts';
import { problemAnswer } from './problem.ts';
import { loadOrder, orderNumbers, type OrderView } from '../../services/number-orders.ts';
import type { AppContext } from '../context.ts';
import { pricingOf } from '../routes/buy/router.ts';
import { apiRoute, type ApiRoute } from './registry.ts';
import { e164, money, nullableTimestamp, timestamp } from './schemas.ts';

export const orderSchema = z
  .object({
    object: z.literal('number_order'),
    id: z.number().int(),
    hold_id: z.number().int().nullable(),
    total: money,
    balance: money,
    created_at: timestamp,
    numbers: z.array(
      z.object({
        number: e164,
        subscription_id: z.number().int(),
        setup_fee: money,
        first_period: money,
        next_billing_at: nullableTimestamp.optional(),
      }),
    ),
  })
  .openapi('NumberOrder');

const orderBody = z
  .object({
    numbers: z
      .array(e164, { message: 'A list of numbers in E.164 form' })
      .min(1, 'Name at least one number')
      .max(100, 'At most 100 numbers')
      .optional()
      .openapi({ description: "Numbers to buy; one under the caller's live hold leaves that hold, and a hold left with none is released" }),
    hold_id: z.number({ message: 'A hold id' }).int().positive().optional().openapi({ description: 'Buy every number of this live hold; the hold ends as ordered' }),
  })
  .refine((body) => (body.numbers === undefined) !== (body.hold_id === undefined), { message: 'Send either numbers or hold_id', path: ['numbers'] });

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,100}$/;

/** The Idempotency-Key of a request that moves money (required). */
export function idempotencyKeyOf(header: string | undefined): string {
  const key = header?.trim();
  if (!key || !IDEMPOTENCY_KEY.test(key)) {
    const message = 'Send an Idempotency-Key header: 8 to 100 letters, digits, _ . : -';
    throw new ValidationError(message, { 'Idempotency-Key': message });
  }
  return key;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(JSON.stringify([method, path, body ?? null])).digest('hex');
}

function presentOrder(view: OrderView) {
  return {
    object: 'number_order' as const,
    id: view.order.id,
    hold_id: view.order.hold_id,
    total: view.order.total,
    balance: view.balance,
    created_at: view.order.created_at.toISOString(),
    numbers: view.items.map((item) => ({
      number: item.number, subscription_id: item.subscription_id, setup_fee: item.setup_fee, first_period: item.first_period,
      ...(item.subscription ? { next_billing_at: item.subscription.next_billing_at?.toISOString() ?? null } : {}),
    })),
  };
}

const idParams = z.object({ id: z.coerce.number({ message: 'An order id' }).int().positive('An order id').max(Number.MAX_SAFE_INTEGER) });

export function numberOrdersRoutes(context: AppContext): ApiRoute[] {
  const { db, now } = context;
  return [
    apiRoute({
      method: 'post', path: '/number-orders', tag: 'Orders', scope: 'numbers:write', roles: ['reseller', 'customer'], idempotent: true,
      summary: 'Buy numbers (or the numbers of a hold): all or none, charged at once',
      body: orderBody,
      responses: {
        201: { description: 'The order and its receipt', schema: orderSchema },
        402: { description: 'Available funds do not cover the order; nothing was charged' },
        409: { description: 'A number is not available (or the hold has ended); nothing was charged' },
      },
      handler: async ({ req, caller, body }) => {
        const key = idempotencyKeyOf(req.get('idempotency-key'));
        const answer = await answerOnce(
          db,
          { accountId: caller.account.id, key, requestHash: requestHash('POST', '/number-orders', req.body), now: now() },
          async (trx) => {
            const view = await orderNumbers(trx, {
              accountId: caller.account.id, numbers: body.numbers, holdId: body.hold_id, now: now(), actorId: caller.account.id, pricing: pricingOf(context),
            });
            return { status: 201, body: presentOrder(view) };
          },
          problemAnswer,
        );
        return { status: answer.status, body: answer.body, headers: { 'Idempotent-Replayed': String(answer.replayed) } };
      },
    }),
    apiRoute({
      method: 'get', path: '/number-orders/:id', tag: 'Orders', scope: 'numbers:read', summary: 'An order and its receipt',
      params: idParams,
      responses: { 200: { description: 'The order', schema: orderSchema } },
      handler: async ({ caller, params }) => ({ body: presentOrder(await loadOrder(db, caller.account.id, params.id)) }),
    }),
  ];
}
