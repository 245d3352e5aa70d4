// GET /api/v1/balance and /api/v1/transactions: this account's funds and its ledger.
import { z } from 'zod';
import { LEDGER_KINDS, loadBalance, loadTransactions } from '../../services/transactions.ts';
import type { AppContext } from '../context.ts';
import { apiRoute, type ApiRoute } from './registry.ts';
import { listOf, money, pageQuery, timestamp } from './schemas.ts';

const balanceSchema = z
  .object({
    object: z.literal('balance'),
    currency: z.string(),
    billing_mode: z.enum(['prepaid', 'postpaid']),
    balance: money,
    credit_limit: money,
    reserved: money.openapi({ description: 'Held for calls in progress' }),
    available: money.openapi({ description: 'balance (+ credit limit when postpaid) - reserved' }),
  })
  .openapi('Balance');

const transactionSchema = z
  .object({
    object: z.literal('transaction'),
    id: z.number().int(),
    kind: z.enum(LEDGER_KINDS as [string, ...string[]]),
    amount: money,
    balance_after: money,
    description: z.string(),
    created_at: timestamp,
  })
  .openapi('Transaction');

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date like 2026-01-31');
const transactionsQuery = pageQuery.extend({
  kind: z.enum(LEDGER_KINDS as [string, ...string[]], { message: `One of ${LEDGER_KINDS.join(', ')}` }).optional(),
  from: date.optional(),
  to: date.optional(),
});

export function billingRoutes({ db, config, now }: AppContext): ApiRoute[] {
  return [
    apiRoute({
      method: 'get', path: '/balance', tag: 'Billing', scope: 'billing:read', summary: "This account's balance, credit and available funds",
      responses: { 200: { description: 'The balance', schema: balanceSchema } },
      handler: async ({ caller }) => {
        const { account, reserved, available } = await loadBalance(db, caller.account.id, now());
        return {
          body: {
            object: 'balance', currency: config.currency, billing_mode: account.billing_mode, balance: account.balance,
            credit_limit: account.credit_limit, reserved, available,
          },
        };
      },
    }),
    apiRoute({
      method: 'get', path: '/transactions', tag: 'Billing', scope: 'billing:read', summary: "This account's ledger, newest first",
      query: transactionsQuery,
      responses: { 200: { description: 'Ledger entries', schema: listOf(transactionSchema, 'TransactionList') } },
      handler: async ({ caller, query }) => {
        const filters = { kind: query.kind as (typeof LEDGER_KINDS)[number] | undefined, from: query.from, to: query.to, belowId: query.starting_after };
        const { rows } = await loadTransactions(db, caller.account.id, filters, { limit: query.limit + 1, offset: 0 }, now());
        const data = rows.slice(0, query.limit).map((row) => ({
          object: 'transaction' as const, id: row.id, kind: row.kind, amount: row.amount, balance_after: row.balance_after,
          description: row.description, created_at: row.created_at.toISOString(),
        }));
        return { body: { object: 'list', data, has_more: rows.length > query.limit } };
      },
    }),
  ];
}
