// /api/v1/customers: a reseller's customers (list, create, change) and payments to them, the same
// use cases as its Customers pages; a payment needs an Idempotency-Key.
import { z } from 'zod';
import { listAccountsAfter, type AccountListRow } from '../../db/repos/account-directory.ts';
import type { AccountRow } from '../../db/repos/accounts.ts';
import { createManagedAccount, getManagedAccount, updateManagedAccount } from '../../services/account-management.ts';
import { answerOnce } from '../../services/idempotency.ts';
import { problemAnswer } from './problem.ts';
import { MANUAL_KINDS, amountRuleBroken, recordManualEntry } from '../../services/manual-postings.ts';
import { ValidationError } from '../../errors.ts';
import type { AppContext } from '../context.ts';
import { idempotencyKeyOf, requestHash } from './number-orders.ts';
import { apiRoute, type ApiRoute } from './registry.ts';
import { listOf, money, moneyInput, pageQuery, timestamp } from './schemas.ts';

const customerSchema = z
  .object({
    object: z.literal('customer'),
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    status: z.enum(['active', 'suspended', 'closed']),
    billing_mode: z.enum(['prepaid', 'postpaid']),
    balance: money,
    credit_limit: money,
    max_concurrent_calls: z.number().int(),
    created_at: timestamp,
  })
  .openapi('Customer');

const settings = {
  name: z.string().trim().min(1, 'Enter a name').max(200, 'At most 200 characters'),
  email: z.string().trim().max(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'An email address like name@example.com'),
  billing_mode: z.enum(['prepaid', 'postpaid'], { message: 'prepaid or postpaid' }),
  credit_limit: moneyInput,
  max_concurrent_calls: z.number().int().min(0).max(999_999),
  status: z.enum(['active', 'suspended', 'closed'], { message: 'active, suspended or closed' }),
};
const createBody = z.object({
  ...settings,
  billing_mode: settings.billing_mode.default('prepaid'),
  credit_limit: settings.credit_limit.default('0'),
  max_concurrent_calls: settings.max_concurrent_calls.default(0),
  status: settings.status.default('active'),
  password: z.string().min(10, 'At least 10 characters').max(200).optional().openapi({ description: 'Left out: the customer is mailed a link to set one' }),
});
const patchBody = z.object({
  name: settings.name.optional(), email: settings.email.optional(), billing_mode: settings.billing_mode.optional(), credit_limit: settings.credit_limit.optional(),
  max_concurrent_calls: settings.max_concurrent_calls.optional(), status: settings.status.optional(),
  password: z.string().min(10, 'At least 10 characters').max(200).optional(),
});
const paymentBody = z
  .object({
    kind: z.enum(MANUAL_KINDS, { message: 'payment, refill or adjustment' }),
    amount: z.string().trim().regex(/^-?\d{1,14}(\.\d{1,6})?$/, 'An amount like 25.00 (an adjustment may be negative)'),
    note: z.string().trim().max(200).default(''),
  })
  .superRefine((body, ctx) => {
    const broken = amountRuleBroken(body.kind, body.amount);
    if (broken) ctx.addIssue({ code: 'custom', path: ['amount'], message: broken });
    if (body.kind === 'adjustment' && body.note === '') ctx.addIssue({ code: 'custom', path: ['note'], message: 'Say why the adjustment is made' });
  });
const paymentSchema = z
  .object({ object: z.literal('payment'), id: z.number().int(), customer_id: z.number().int(), kind: z.string(), amount: money, balance: money, created_at: timestamp })
  .openapi('Payment');
const idParams = z.object({ id: z.coerce.number({ message: 'A customer id' }).int().positive('A customer id').max(Number.MAX_SAFE_INTEGER) });

function present(row: AccountListRow | AccountRow) {
  return {
    object: 'customer' as const, id: row.id, name: row.name, email: row.email, status: row.status, billing_mode: row.billing_mode,
    balance: row.balance, credit_limit: row.credit_limit, max_concurrent_calls: row.max_concurrent_calls, created_at: row.created_at.toISOString(),
  };
}

export function customersRoutes({ db, config, now }: AppContext): ApiRoute[] {
  const scopeOf = (account: AccountRow) => ({ kind: 'reseller' as const, resellerId: account.id });
  const actor = (account: AccountRow, ip: string | undefined) => ({ actorId: account.id, ip, now: now(), bcryptCost: config.bcryptCost, publicUrl: config.publicUrl });
  const base = { tag: 'Customers', roles: ['reseller' as const] };
  return [
    apiRoute({
      ...base, method: 'get', path: '/customers', scope: 'numbers:read', summary: "The reseller's customers, by id",
      query: pageQuery,
      responses: { 200: { description: 'Customers', schema: listOf(customerSchema, 'CustomerList') } },
      handler: async ({ caller, query }) => {
        const rows = await listAccountsAfter(db, scopeOf(caller.account), query.starting_after, query.limit + 1);
        return { body: { object: 'list', data: rows.slice(0, query.limit).map(present), has_more: rows.length > query.limit } };
      },
    }),
    apiRoute({
      ...base, method: 'post', path: '/customers', scope: 'numbers:write', summary: 'Create a customer of this reseller',
      body: createBody,
      responses: { 201: { description: 'The customer', schema: customerSchema } },
      handler: async ({ req, caller, body }) => {
        const created = await createManagedAccount(db, scopeOf(caller.account), {
          role: 'customer', name: body.name, email: body.email, password: body.password, billingMode: body.billing_mode,
          creditLimit: body.credit_limit, maxConcurrentCalls: body.max_concurrent_calls, status: body.status,
        }, actor(caller.account, req.ip));
        return { status: 201, body: present(created) };
      },
    }),
    apiRoute({
      ...base, method: 'patch', path: '/customers/:id', scope: 'numbers:write', summary: 'Change a customer of this reseller',
      params: idParams, body: patchBody,
      responses: { 200: { description: 'The customer', schema: customerSchema } },
      handler: async ({ req, caller, params, body }) => {
        const scope = scopeOf(caller.account);
        const current = await getManagedAccount(db, scope, params.id);
        const updated = await updateManagedAccount(db, scope, params.id, {
          name: body.name ?? current.name, email: body.email ?? current.email, billingMode: body.billing_mode ?? current.billing_mode,
          creditLimit: body.credit_limit ?? current.credit_limit, maxConcurrentCalls: body.max_concurrent_calls ?? current.max_concurrent_calls,
          status: body.status ?? current.status, password: body.password,
        }, actor(caller.account, req.ip));
        return { body: present(updated) };
      },
    }),
    apiRoute({
      ...base, method: 'post', path: '/customers/:id/payments', scope: 'numbers:write', idempotent: true,
      summary: "Record a payment, refill or adjustment on a customer's balance",
      params: idParams, body: paymentBody,
      responses: { 201: { description: 'The ledger entry', schema: paymentSchema } },
      handler: async ({ req, caller, params, body }) => {
        const key = idempotencyKeyOf(req.get('idempotency-key'));
        if (!(await getManagedAccount(db, scopeOf(caller.account), params.id))) throw new ValidationError('No such customer');
        const answer = await answerOnce(
          db,
          { accountId: caller.account.id, key, requestHash: requestHash('POST', `/customers/${params.id}/payments`, req.body), now: now() },
          async (trx) => {
            const { entry, account } = await recordManualEntry(
              trx, scopeOf(caller.account),
              { accountId: params.id, kind: body.kind, amount: body.amount, note: body.note, idempotencyKey: `api-${caller.account.id}-${key}` },
              { actorId: caller.account.id, now: now(), ip: req.ip },
            );
            return {
              status: 201,
              body: { object: 'payment', id: entry.id, customer_id: account.id, kind: entry.kind, amount: entry.amount, balance: account.balance, created_at: entry.created_at.toISOString() },
            };
          },
          problemAnswer,
        );
        return { status: answer.status, body: answer.body, headers: { 'Idempotent-Replayed': String(answer.replayed) } };
      },
    }),
  ];
}
