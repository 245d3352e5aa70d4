// Invoices and credit notes, for every role (mounted at /<role>/invoices): the admin sees all, a
// reseller those it issued to its customers and those it received, a customer its own. A document
// outside the viewer's scope is a 404. Issuers generate a missing invoice and credit their invoices.
import { Router, type Response } from 'express';
import { findLogo, findVisibleInvoice, listBilledAccounts, listInvoices, type InvoiceScope } from '../../../db/queries/invoices.ts';
import { findInvoice, listCreditNotes } from '../../../db/repos/invoices.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { createCreditNote, creditableAmount } from '../../../services/credit-notes.ts';
import { writeInvoicesCsv } from '../../../services/invoice-csv.ts';
import { renderInvoicePdf } from '../../../services/invoice-pdf.ts';
import { issueInvoice } from '../../../services/invoices.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import type { Role } from '../../../db/repos/accounts.ts';
import { filterState, idParam, validate } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { KIND_LABELS, STATUS_LABELS, presentInvoice, presentListRow } from './presenter.ts';
import { creditNoteSchema, generateSchema, invoicesQuerySchema } from './schema.ts';

const PAGE_SIZE = 50;

export function invoicesRouter(context: AppContext, role: Role): Router {
  const { db, config, now } = context;
  const router = Router();
  const listQuery = validate(invoicesQuerySchema, { from: 'query', fallback: { page: 1 } });
  const exportQuery = validate(invoicesQuerySchema, { from: 'query', answer: 'text' });
  const generateForm = validate(generateSchema);
  const creditForm = validate(creditNoteSchema);

  const viewerOf = (res: Response) => ({ role: areaRole(res), accountId: currentAccount(res).id });
  const scopeOf = (res: Response, side: 'issued' | 'received' | undefined): InvoiceScope => {
    const { role, accountId } = viewerOf(res);
    if (role === 'admin') return { kind: 'all' };
    if (role === 'reseller' && side !== 'received') return { kind: 'issued', issuerId: accountId };
    return { kind: 'received', accountId };
  };
  const visible = async (res: Response, id: number) => {
    const invoice = await findVisibleInvoice(db, id, viewerOf(res));
    if (!invoice) throw new NotFoundError('There is no such invoice');
    return invoice;
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
    res.type('text/csv; charset=utf-8');
    res.attachment('invoices.csv');
    await writeInvoicesCsv(db, scopeOf(res, side), { period: query.period, accountId: query.account, status: query.status, kind: query.kind }, config.moneyDecimals, res);
  });

  if (role !== 'customer') router.post('/generate', generateForm, async (req, res) => {
    const form = generateForm.data(res);
    const seller = currentAccount(res).id;
    const buyers = await listBilledAccounts(db, seller);
    if (!buyers.some((buyer) => buyer.id === form.account_id)) throw new ValidationError('Choose one of your accounts', { account_id: 'Choose one of your accounts' });
    const invoice = await issueInvoice(db, { accountId: form.account_id, period: form.period, now: now(), currency: config.currency, decimals: config.moneyDecimals });
    if (!invoice) {
      flash(req, 'error', `Nothing was issued: the account has an invoice for ${form.period} (or a later period) already, or nothing to invoice in it.`);
      return res.redirect(303, `/${role}/invoices?period=${form.period}`);
    }
    flash(req, 'success', `Invoice ${invoice.number} issued.`);
    res.redirect(303, `/${role}/invoices/${invoice.id}`);
  });

  router.get('/:id', async (_req, res) => {
    const invoice = await visible(res, idParam(_req, 'id', 'There is no such invoice'));
    const role = areaRole(res);
    const canCredit = invoice.kind === 'invoice' && role !== 'customer' && invoice.issuer_id === currentAccount(res).id;
    const [creditNotes, corrects, creditable] = await Promise.all([
      invoice.kind === 'invoice' ? listCreditNotes(db, invoice.id) : Promise.resolve([]),
      invoice.corrects_invoice_id ? findInvoice(db, invoice.corrects_invoice_id) : Promise.resolve(undefined),
      canCredit ? creditableAmount(db, invoice) : Promise.resolve('0'),
    ]);
    const view = presentInvoice(invoice, { base: `/${role}/invoices`, creditNotes, corrects, canCredit, creditable });
    await renderPage(res, 'invoices/show', { title: view.title, invoice: view, values: {}, fieldErrors: {} });
  });

  router.get('/:id/logo', async (req, res) => {
    const invoice = await visible(res, idParam(req, 'id', 'There is no such invoice'));
    const logo = await findLogo(db, invoice.issuer_id);
    if (!logo) throw new NotFoundError('This invoice has no logo');
    res.type(logo.type).set('Cache-Control', 'private, max-age=300').send(logo.data);
  });

  router.get('/:id/:file', async (req, res) => {
    const invoice = await visible(res, idParam(req, 'id', 'There is no such invoice'));
    if (req.params.file !== `invoice-${invoice.number}.pdf`) throw new NotFoundError('There is no such file');
    const corrects = invoice.corrects_invoice_id ? await findInvoice(db, invoice.corrects_invoice_id) : undefined;
    const logo = invoice.issuer_snapshot.has_logo ? await findLogo(db, invoice.issuer_id) : null;
    const pdf = await renderInvoicePdf(invoice, { decimals: config.moneyDecimals, logo, corrects: corrects?.number });
    res.type('application/pdf').set('Content-Disposition', `attachment; filename="invoice-${invoice.number}.pdf"`).send(pdf);
  });

  if (role !== 'customer') router.post('/:id/credit-notes', creditForm, async (req, res) => {
    const invoice = await visible(res, idParam(req, 'id', 'There is no such invoice'));
    if (invoice.issuer_id !== currentAccount(res).id) throw new NotFoundError('There is no such invoice');
    const form = creditForm.data(res);
    const note = await createCreditNote(db, invoice.issuer_id, { invoiceId: invoice.id, amount: form.amount, reason: form.reason }, {
      actorId: currentAccount(res).id, now: now(), decimals: config.moneyDecimals,
    });
    flash(req, 'success', `Credit note ${note.number} issued and credited to the account.`);
    res.redirect(303, `/${role}/invoices/${note.id}`);
  });

  return router;
}
