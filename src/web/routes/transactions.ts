// The Transactions page of one account: its ledger, newest first, with the running balance,
// filters by kind and date, pagination and a CSV export. Used for an account's own ledger and,
// through the accounts pages, for the accounts the admin or a reseller manages.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { LedgerKind } from '../../db/repos/ledger.ts';
import { LEDGER_KINDS, LEDGER_KIND_LABELS, loadTransactions, writeTransactionsCsv, type TransactionFilters } from '../../services/transactions.ts';
import { currentAccount } from '../middleware/auth.ts';
import { parseForm } from '../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../presenters/page-links.ts';
import { renderPage } from '../render.ts';
import type { AppContext } from '../context.ts';

export const TRANSACTIONS_PAGE_SIZE = 50;

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-11-29')
  .refine((text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text), 'This is not a date');

export const transactionsQuerySchema = z
  .object({
    kind: z.preprocess(blankToUndefined, z.enum(LEDGER_KINDS as [LedgerKind, ...LedgerKind[]], { message: 'Choose a kind from the list' }).optional()),
    from: z.preprocess(blankToUndefined, isoDate.optional()),
    to: z.preprocess(blankToUndefined, isoDate.optional()),
    page: z.preprocess(blankToUndefined, z.coerce.number({ message: 'Not a page number' }).int().min(1).max(1_000_000).default(1)),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'The end date is before the start date' });

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

function filtersOf(query: { kind?: LedgerKind | undefined; from?: string | undefined; to?: string | undefined }): TransactionFilters {
  return { kind: query.kind, from: query.from, to: query.to };
}

export async function showTransactions(context: AppContext, req: Request, res: Response, accountId: number, view: TransactionsView): Promise<void> {
  const parsed = parseForm(transactionsQuerySchema, req.query);
  const query = parsed.ok ? parsed.data : { page: 1 };
  const filters = parsed.ok ? filtersOf(parsed.data) : {};
  const data = await loadTransactions(context.db, accountId, filters, pageWindow(query.page, TRANSACTIONS_PAGE_SIZE), context.now());
  const current = { kind: filters.kind, from: filters.from, to: filters.to };
  await renderPage(
    res,
    'ledger/transactions',
    {
      ...view,
      data,
      kinds: LEDGER_KINDS.map((kind) => ({ value: kind, label: LEDGER_KIND_LABELS[kind] })),
      kindLabels: LEDGER_KIND_LABELS,
      values: parsed.ok ? current : req.query,
      fieldErrors: parsed.ok ? {} : parsed.errors,
      exportHref: hrefWith(`${view.path}/export.csv`, current),
      pager: pageLinks(view.path, current, data.total, query.page, TRANSACTIONS_PAGE_SIZE),
    },
    parsed.ok ? 200 : 400,
  );
}

export async function exportTransactions(context: AppContext, req: Request, res: Response, accountId: number, fileName: string): Promise<void> {
  const parsed = parseForm(transactionsQuerySchema, req.query);
  if (!parsed.ok) {
    res.status(400).type('text').send(Object.entries(parsed.errors).map(([field, message]) => `${field}: ${message}`).join('\n'));
    return;
  }
  res.type('text/csv; charset=utf-8');
  res.attachment(fileName);
  await writeTransactionsCsv(context.db, accountId, filtersOf(parsed.data), context.config.moneyDecimals, res);
}

/** The logged-in account's own Transactions, mounted at /reseller/transactions and /customer/transactions. */
export function ownTransactionsRouter(context: AppContext, options: { path: string; receiptBase?: string }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    await showTransactions(context, req, res, currentAccount(res).id, { title: 'Transactions', path: options.path, receiptBase: options.receiptBase });
  });
  router.get('/export.csv', async (req, res) => {
    await exportTransactions(context, req, res, currentAccount(res).id, 'transactions.csv');
  });
  return router;
}
