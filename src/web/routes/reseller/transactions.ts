// The reseller's own ledger; its purchases link to their receipts.
import type { Router } from 'express';
import type { AppContext } from '../../context.ts';
import { ownTransactionsRouter } from '../transactions.ts';

export function transactionsRouter(context: AppContext): Router {
  return ownTransactionsRouter(context, { path: '/reseller/transactions', receiptBase: '/reseller/receipts' });
}
