// The Transactions page of one account: its ledger, newest first, with the running balance,
// filters by kind and date, pagination and a CSV export. Used for an account's own ledger (this
// router, mounted in the reseller's and the customer's areas) and, through the managed accounts
// pages, for the accounts the admin or a reseller manages: their routes put the validators first.
import { Router, type Response } from 'express';
import { LEDGER_KINDS, LEDGER_KIND_LABELS, loadTransactions } from '../../../services/transactions.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { filterState, validate } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { exportTransactions, transactionsExportQuery } from './export.ts';
import { transactionsQuerySchema } from './schema.ts';

export const TRANSACTIONS_PAGE_SIZE = 50;

export const transactionsQuery = validate(transactionsQuerySchema, { from: 'query', fallback: { page: 1 } });

export interface TransactionsView {
  title: string;
  /** The page's own path: filters, pages and the export link hang off it. */
  path: string;
  /** Where a purchase row's receipt is, for the account's own ledger (e.g. /reseller/receipts). */
  receiptBase?: string | undefined;
  /** The link's text: "Receipt" unless said otherwise. */
  receiptLabel?: string | undefined;
  back?: { href: string; label: string } | undefined;
  /** For a managed account: where its seller records a payment, refill or adjustment. */
  manage?: { moneyHref: string } | undefined;
}

/** The page, behind transactionsQuery. */
export async function showTransactions(context: AppContext, res: Response, accountId: number, view: TransactionsView): Promise<void> {
  const query = transactionsQuery.data(res);
  const current = { kind: query.kind, from: query.from, to: query.to };
  const data = await loadTransactions(context.db, accountId, current, pageWindow(query.page, TRANSACTIONS_PAGE_SIZE), context.now());
  const { status, ...state } = filterState(transactionsQuery.invalid(res), current);
  await renderPage(res, 'ledger/transactions', {
    ...view,
    data,
    kinds: LEDGER_KINDS.map((kind) => ({ value: kind, label: LEDGER_KIND_LABELS[kind] })),
    kindLabels: LEDGER_KIND_LABELS,
    ...state,
    exportHref: hrefWith(`${view.path}/export.csv`, current),
    pager: pageLinks(view.path, current, data.total, query.page, TRANSACTIONS_PAGE_SIZE),
  }, status);
}

/** The logged-in account's own Transactions; its purchases link to their receipts. */
export function ownTransactionsRouter(context: AppContext): Router {
  const router = Router();
  router.get('/', transactionsQuery, async (_req, res) => {
    const role = areaRole(res);
    await showTransactions(context, res, currentAccount(res).id, { title: 'Transactions', path: `/${role}/transactions`, receiptBase: `/${role}/receipts` });
  });
  router.get('/export.csv', transactionsExportQuery, async (_req, res) => {
    await exportTransactions(context, res, currentAccount(res).id, 'transactions.csv');
  });
  return router;
}
