// What the invoice routes share: the document as the viewer may see it (another's is a 404) and
// its page, which the credit-note form re-renders with its errors.
import type { Request, Response } from 'express';
import { findVisibleInvoice } from '../../../db/queries/invoices.ts';
import { findInvoice, listCreditNotes, type InvoiceRow } from '../../../db/repos/invoices.ts';
import { NotFoundError } from '../../../errors.ts';
import { creditableAmount } from '../../../services/credit-notes.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { idParam } from '../../middleware/validate.ts';
import { renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { presentInvoice } from './presenter.ts';

export function invoicePages({ db }: AppContext) {
  const viewerOf = (res: Response) => ({ role: areaRole(res), accountId: currentAccount(res).id });

  async function visible(req: Request, res: Response): Promise<InvoiceRow> {
    const invoice = await findVisibleInvoice(db, idParam(req, 'id', 'There is no such invoice'), viewerOf(res));
    if (!invoice) throw new NotFoundError('There is no such invoice');
    return invoice;
  }

  /** An invoice its viewer issued (and may credit); any other is a 404. */
  async function issuedByViewer(req: Request, res: Response): Promise<InvoiceRow> {
    const invoice = await visible(req, res);
    if (invoice.issuer_id !== currentAccount(res).id || areaRole(res) === 'customer') throw new NotFoundError('There is no such invoice');
    return invoice;
  }

  /** The invoice page; `form` keeps the credit-note form's input and errors after a bad post. */
  async function renderShow(res: Response, invoice: InvoiceRow, form: { values: Record<string, string>; fieldErrors: Record<string, string> } = { values: {}, fieldErrors: {} }, status = 200) {
    const role = areaRole(res);
    const canCredit = invoice.kind === 'invoice' && role !== 'customer' && invoice.issuer_id === currentAccount(res).id;
    const [creditNotes, corrects, creditable] = await Promise.all([
      invoice.kind === 'invoice' ? listCreditNotes(db, invoice.id) : Promise.resolve([]),
      invoice.corrects_invoice_id ? findInvoice(db, invoice.corrects_invoice_id) : Promise.resolve(undefined),
      canCredit ? creditableAmount(db, invoice) : Promise.resolve('0'),
    ]);
    const view = presentInvoice(invoice, { base: `/${role}/invoices`, creditNotes, corrects, canCredit, creditable });
    await renderPage(res, 'invoices/show', { title: view.title, invoice: view, ...form }, status);
  }

  return { visible, issuedByViewer, renderShow };
}
