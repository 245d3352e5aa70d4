// Accounts managed by someone above them: the admin's "Accounts" (resellers and customers) and a
// reseller's "Customers" (its own only). One router, mounted in both areas: its role comes from
// the area (res.locals.role) and every query carries the scope, so another tenant's id is a 404.
import { Router, type Request, type Response } from 'express';
import { listAccounts, countAccounts, listParentOptions, type AccountFilters } from '../../../db/repos/account-directory.ts';
import { listLedgerEntries } from '../../../db/repos/ledger-history.ts';
import { getManagedAccount } from '../../../services/account-management.ts';
import { availableFunds } from '../../../services/ledger.ts';
import { LEDGER_KIND_LABELS } from '../../../services/transactions.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { filterState, idParam, validate } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { exportTransactions, transactionsExportQuery } from '../transactions/export.ts';
import { showTransactions, transactionsQuery } from '../transactions/router.ts';
import { exportAccounts } from './export.ts';
import { moneyRouter } from './money-router.ts';
import { accountScope, audienceOf, presentAccount, subscriptionLinks } from './presenter.ts';
import { listQuerySchema, type ListQuery } from './schema.ts';
import { settingsRouter } from './settings-router.ts';
import { countAccountDisputes } from '../../../db/queries/payments.ts';

export const ACCOUNTS_PAGE_SIZE = 50;

/** The list's filters: a reseller sees only its customers, so role and parent are the admin's. */
function filtersOf(res: Response, query: ListQuery): AccountFilters {
  return { status: query.status, q: query.q, ...(areaRole(res) === 'admin' ? { role: query.role, parentId: query.parent } : {}) };
}

export function managedAccountsRouter(context: AppContext): Router {
  const { db } = context;
  const router = Router();
  const listQuery = validate(listQuerySchema, { from: 'query', fallback: { page: 1 } });
  const loadAccount = (req: Request, res: Response) => getManagedAccount(db, accountScope(res), idParam(req, 'id', 'No such account'));

  router.get('/', listQuery, async (_req, res) => {
    const scope = accountScope(res);
    const audience = audienceOf(areaRole(res));
    const query = listQuery.data(res);
    const filters = filtersOf(res, query);
    const [rows, total, parents] = await Promise.all([
      listAccounts(db, scope, filters, pageWindow(query.page, ACCOUNTS_PAGE_SIZE)),
      countAccounts(db, scope, filters),
      audience.isAdmin ? listParentOptions(db) : Promise.resolve([]),
    ]);
    const current = { role: filters.role, status: filters.status, parent: filters.parentId, q: filters.q };
    const { status, ...state } = filterState(listQuery.invalid(res), current);
    await renderPage(res, 'accounts/list', {
      title: audience.plural, ...audience, rows: rows.map(presentAccount), total, parents, ...state,
      exportHref: hrefWith(`${audience.base}/export.csv`, current),
      pager: pageLinks(audience.base, current, total, query.page, ACCOUNTS_PAGE_SIZE),
    }, status);
  });

  const exportQuery = validate(listQuerySchema, { from: 'query', answer: 'text' });

  router.get('/export.csv', exportQuery, async (_req, res) => {
    const fileName = `${audienceOf(areaRole(res)).plural.toLowerCase()}.csv`;
    await exportAccounts(res, context, fileName, accountScope(res), filtersOf(res, exportQuery.data(res)));
  });

  router.use('/', settingsRouter(context), moneyRouter(context));

  router.get('/:id', async (req, res) => {
    const audience = audienceOf(areaRole(res));
    const account = await loadAccount(req, res);
    const recent = await listLedgerEntries(db, account.id, {}, { limit: 5, offset: 0 });
    // Card disputes flag the account for the admin (its Stripe account was charged back).
    const disputes = areaRole(res) === 'admin' ? await countAccountDisputes(db, account.id) : 0;
    await renderPage(res, 'accounts/show', {
      disputes,
      title: account.name, ...audience, account, availableFunds: availableFunds(account), recent, kindLabels: LEDGER_KIND_LABELS,
      manage: { moneyHref: `${audience.base}/${account.id}/money` },
      ...subscriptionLinks(audience),
    });
  });

  router.get('/:id/transactions', transactionsQuery, async (req, res) => {
    const audience = audienceOf(areaRole(res));
    const account = await loadAccount(req, res);
    await showTransactions(context, res, account.id, {
      title: `Transactions of ${account.name}`,
      path: `${audience.base}/${account.id}/transactions`,
      back: { href: `${audience.base}/${account.id}`, label: account.name },
      manage: { moneyHref: `${audience.base}/${account.id}/money` },
      ...subscriptionLinks(audience),
    });
  });

  router.get('/:id/transactions/export.csv', transactionsExportQuery, async (req, res) => {
    const account = await loadAccount(req, res);
    await exportTransactions(context, res, account.id, `transactions-${account.id}.csv`);
  });

  return router;
}

