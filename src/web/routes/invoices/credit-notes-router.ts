// Credit notes move money, so they take two posts: the form on the invoice page posts to a review
// (the amount, the taxes on it, the total and the invoice it corrects; nothing written), whose
// "Issue credit note" posts to /confirm with the review's key, so a double submit issues one note.
// Bad input re-renders the invoice page with status 400, the input kept, a message per field.
import { randomUUID } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { ValidationError } from '../../../errors.ts';
import { createCreditNote, quoteCreditNote } from '../../../services/credit-notes.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { formValues, validate, type Invalid } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { presentCreditNoteQuote } from './presenter.ts';
import { creditNoteConfirmSchema, creditNoteSchema } from './schema.ts';
import { invoicePages } from './show-page.ts';

export function creditNoteRoutes(router: Router, context: AppContext): void {
  const { db, config, now } = context;
  const pages = invoicePages(context);
  const backToForm = async (req: Request, res: Response, invalid: Invalid, status = 400) =>
    pages.renderShow(res, await pages.issuedByViewer(req, res), { values: invalid.values, fieldErrors: invalid.errors }, status);
  const reviewForm = validate(creditNoteSchema, { onInvalid: (req, res, invalid) => backToForm(req, res, invalid) });
  const confirmForm = validate(creditNoteConfirmSchema, { onInvalid: (req, res, invalid) => backToForm(req, res, invalid) });

  router.post('/:id/credit-notes', reviewForm, async (req, res) => {
    const invoice = await pages.issuedByViewer(req, res);
    const form = reviewForm.data(res);
    try {
      const quote = await quoteCreditNote(db, invoice, { amount: form.amount, reason: form.reason }, config.moneyDecimals);
      await renderPage(res, 'invoices/credit-note-confirm', {
        title: `Review credit note on ${invoice.number}`, review: presentCreditNoteQuote(quote, `/${areaRole(res)}/invoices`, form.reason), key: randomUUID(),
      });
    } catch (error) {
      if (error instanceof ValidationError) return pages.renderShow(res, invoice, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
  });

  router.post('/:id/credit-notes/confirm', confirmForm, async (req, res) => {
    const form = confirmForm.data(res);
    if (form.action === 'change') return backToForm(req, res, { values: formValues(req.body), errors: {} }, 200);
    const invoice = await pages.issuedByViewer(req, res);
    try {
      const { note, replayed } = await createCreditNote(db, invoice.issuer_id, { invoiceId: invoice.id, amount: form.amount, reason: form.reason, key: form.key }, {
        actorId: currentAccount(res).id, now: now(), decimals: config.moneyDecimals,
      });
      flash(req, replayed ? 'info' : 'success', replayed ? `Credit note ${note.number} had been issued with this form already; nothing more was credited.` : `Credit note ${note.number} issued and credited to the account.`);
      res.redirect(303, `/${areaRole(res)}/invoices/${note.id}`);
    } catch (error) {
      if (error instanceof ValidationError) return backToForm(req, res, { values: formValues(req.body), errors: error.fields });
      throw error;
    }
  });
}
