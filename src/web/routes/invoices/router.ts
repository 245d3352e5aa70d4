// Invoices and credit notes, for every role (mounted at /<role>/invoices): the admin sees all, a
// reseller those it issued to its customers and those it received, a customer its own. A document
// outside the viewer's scope is a 404. Issuers generate a missing invoice and credit their invoices
// (credit-notes-router.ts).
import { Router, type Response } from 'express';
import { findLogo, listBilledAccounts, listInvoices, type InvoiceScope } from '../../../db/queries/invoices.ts';
import { findInvoice } from '../../../db/repos/invoices.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { renderInvoicePdf } from '../../../services/invoice-pdf.ts';
import { issueInvoice } from '../../../services/invoices.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import type { Role } from '../../../db/repos/accounts.ts';
import { filterState, formValues, validate, type Invalid } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { creditNoteRoutes } from './credit-notes-router.ts';
import { exportInvoiceLines, exportInvoices } from './export.ts';
import { KIND_LABELS, STATUS_LABELS, presentListRow } from './presenter.ts';
import { generateSchema, invoicesQuerySchema } from './schema.ts';
import { invoicePages } from './show-page.ts';

const PAGE_SIZE = 50;

export function invoicesRouter(context: AppContext, role: Role): Router {
  const { db, config, now } = context;
  const router = Router();
  const pages = invoicePages(context);
  const listQuery = validate(invoicesQuerySchema, { from: 'query', fallback: { page: 1 } });
  const exportQuery = validate(invoicesQuerySchema, { from: 'query', answer: 'text' });

  const scopeOf = (res: Response, side: 'issued' | 'received' | undefined): InvoiceScope => {
    const accountId = currentAccount(res).id;
    if (areaRole(res) === 'admin') return { kind: 'all' };
    if (areaRole(res) === 'reseller' && side !== 'received') return { kind: 'issued', issuerId: accountId };
    return { kind: 'received', accountId };
  };

  router.get('/', listQuery, async (_req, res) => {
    const query = listQuery.data(res);
    const role = areaRole(res);
    const side = role === 'reseller' ? (query.side ?? 'issued') : undefined;
    const filters = { period: query.period, accountId: query.account, status: query.status, kind: query.kind };
    const current = { ...filters, account: query.account, side };
    const base = `/${role}/invoices`;
    const { rows, total } = await listInvoices(db, scopeOf(res, side), filters, pageWindow(query.page, PAGE_SIZE));
    const { status, ...state } = filterState(listQuery.invalid(res), { period: query.period, account: query.account, status: query.status, kind: query.kind, side });
    const issuer = role !== 'customer' && side !== 'received';
    await renderPage(res, 'invoices/index', {
      title: 'Invoices', base, role, side, issuer, rows: rows.map((row) => presentListRow(row, base)), ...state,
      accounts: issuer ? await listBilledAccounts(db, currentAccount(res).id) : [],
      statuses: Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label })),
      kinds: Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label })),
      exportHref: hrefWith(`${base}/export.csv`, current),
      pager: pageLinks(base, current, total, query.page, PAGE_SIZE),
    }, status);
  });

  router.get('/export.csv', exportQuery, async (_req, res) => {
    const query = exportQuery.data(res);
    const side = areaRole(res) === 'reseller' ? (query.side ?? 'issued') : undefined;
    await exportInvoices(res, context, scopeOf(res, side), { period: query.period, accountId: query.account, status: query.status, kind: query.kind });
  });

  if (role !== 'customer') {
    const renderGenerate = async (res: Response, invalid?: Invalid) => {
      await renderPage(res, 'invoices/generate', {
        title: 'Generate an invoice', base: `/${areaRole(res)}/invoices`, accounts: await listBilledAccounts(db, currentAccount(res).id),
        values: invalid?.values ?? {}, fieldErrors: invalid?.errors ?? {},
      }, invalid ? 400 : 200);
    };
    const generateForm = validate(generateSchema, { onInvalid: (_req, res, invalid) => renderGenerate(res, invalid) });
    router.get('/generate', async (_req, res) => renderGenerate(res));
    router.post('/generate', generateForm, async (req, res) => {
      const form = generateForm.data(res);
      const buyers = await listBilledAccounts(db, currentAccount(res).id);
      if (!buyers.some((buyer) => buyer.id === form.account_id)) return renderGenerate(res, { values: formValues(req.body), errors: { account_id: 'Choose one of your accounts' } });
      let invoice;
      try {
        invoice = await issueInvoice(db, { accountId: form.account_id, period: form.period, now: now(), currency: config.currency, decimals: config.moneyDecimals });
      } catch (error) {
        if (error instanceof ValidationError) return renderGenerate(res, { values: formValues(req.body), errors: error.fields });
        throw error;
      }
      if (!invoice) {
        flash(req, 'error', `Nothing was issued: the account has an invoice for ${form.period} (or a later period) already, or nothing to invoice in it.`);
        return res.redirect(303, `/${areaRole(res)}/invoices?period=${form.period}`);
      }
      flash(req, 'success', `Invoice ${invoice.number} issued.`);
      res.redirect(303, `/${areaRole(res)}/invoices/${invoice.id}`);
    });
    creditNoteRoutes(router, context);
  }

  router.get('/:id', async (req, res) => pages.renderShow(res, await pages.visible(req, res)));

  router.get('/:id/logo', async (req, res) => {
    const invoice = await pages.visible(req, res);
    const logo = await findLogo(db, invoice.issuer_id);
    if (!logo) throw new NotFoundError('This invoice has no logo');
    res.type(logo.type).set('Cache-Control', 'private, max-age=300').send(logo.data);
  });

  // The document as a PDF, or its lines as CSV, named after its number.
  router.get('/:id/:file', async (req, res) => {
    const invoice = await pages.visible(req, res);
    if (req.params.file === `invoice-${invoice.number}.csv`) return exportInvoiceLines(res, context, invoice);
    if (req.params.file !== `invoice-${invoice.number}.pdf`) throw new NotFoundError('There is no such file');
    const corrects = invoice.corrects_invoice_id ? await findInvoice(db, invoice.corrects_invoice_id) : undefined;
    const logo = invoice.issuer_snapshot.has_logo ? await findLogo(db, invoice.issuer_id) : null;
    const pdf = await renderInvoicePdf(invoice, { decimals: config.moneyDecimals, logo, corrects: corrects?.number });
    res.type('application/pdf').set('Content-Disposition', `attachment; filename="invoice-${invoice.number}.pdf"`).send(pdf);
  });

  return router;
}
