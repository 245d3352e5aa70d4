// The admin's Payments: every card payment with filters and a CSV, the disputes that flag
// accounts, and refunds from the portal (full or partial) behind a confirmation step.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { findPaymentWithAccount, listDisputes, listPaymentBatch, listPayments, type PaymentFilters } from '../../../db/queries/payments.ts';
import { toPlain } from '../../../domain/money.ts';
import { keysetBatches } from '../../../services/csv-export.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { refundAmountProblem, refundPayment, refundableAmount } from '../../../services/stripe-refunds.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { filterState, formValues, idParam, validate } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { flash, renderPage, sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { KIND_LABELS, STATUS_LABELS, paymentsCsv, presentPayment } from './presenter.ts';
import { PAYMENT_FLAGS, PAYMENT_STATUSES, paymentsQuerySchema, refundSchema, type PaymentsQuery } from './schema.ts';

const PAGE_SIZE = 50;
const BASE = '/admin/payments';

const filtersOf = (q: PaymentsQuery): PaymentFilters => ({ status: q.status, kind: q.kind, flag: q.flag, accountId: q.account, from: q.from, to: q.to });

export function adminPaymentsRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();

  const listQuery = validate(paymentsQuerySchema, { from: 'query', fallback: { page: 1 } });
  router.get('/', listQuery, async (_req, res) => {
    const query = listQuery.data(res);
    const current = { status: query.status, kind: query.kind, flag: query.flag, account: query.account, from: query.from, to: query.to };
    const [data, disputes] = await Promise.all([listPayments(db, filtersOf(query), pageWindow(query.page, PAGE_SIZE)), listDisputes(db)]);
    const { status, ...state } = filterState(listQuery.invalid(res), current);
    await renderPage(res, 'payments/admin-list', {
      title: 'Payments', base: BASE, payments: data.rows.map(presentPayment), disputes, ...state,
      statuses: PAYMENT_STATUSES.map((value) => ({ value, label: STATUS_LABELS[value] })),
      kinds: (['topup', 'refill'] as const).map((value) => ({ value, label: KIND_LABELS[value] })),
      flags: PAYMENT_FLAGS.map((value) => ({ value, label: value === 'disputed' ? 'Disputed' : 'With a refund' })),
      exportHref: hrefWith(`${BASE}/export.csv`, current), pager: pageLinks(BASE, current, data.total, query.page, PAGE_SIZE),
    }, status);
  });

  const exportQuery = validate(paymentsQuerySchema, { from: 'query', answer: 'text' });
  router.get('/export.csv', exportQuery, async (_req, res) => {
    const filters = filtersOf(exportQuery.data(res));
    const batches = keysetBatches((before: number | undefined, limit: number) => listPaymentBatch(db, filters, before, limit), (row) => row.id);
    await sendCsv(res, 'payments.csv', paymentsCsv(config.moneyDecimals), batches);
  });

  async function loadPayment(req: Request) {
    const row = await findPaymentWithAccount(db, idParam(req, 'id', 'No such payment'));
    if (!row) throw new NotFoundError('No such payment');
    return row;
  }

  async function renderShow(req: Request, res: Response, extra: Record<string, unknown>, status = 200) {
    const row = await loadPayment(req);
    let refundable: string | undefined;
    try { refundable = refundableAmount(row); } catch { refundable = undefined; }
    await renderPage(res, 'payments/show', {
      title: `Payment ${row.id}`, base: BASE, backHref: BASE, payment: presentPayment(row),
      refundForm: refundable ? { refundable, action: `${BASE}/${row.id}/refund` } : undefined,
      values: { amount: refundable ? toPlain(refundable, config.moneyDecimals) : '', idempotency_key: randomUUID() }, ...extra,
    }, status);
  }

  router.get('/:id', async (req, res) => renderShow(req, res, {}));

  const refundForm = validate(refundSchema, { onInvalid: (req, res, { values, errors }) => renderShow(req, res, { values, fieldErrors: errors }, 400) });

  // Step one: the amount checked and shown with what it does; nothing is refunded yet.
  router.post('/:id/refund', refundForm, async (req, res) => {
    const row = await loadPayment(req);
    const form = refundForm.data(res);
    const problem = refundAmountProblem(row, form.amount);
    if (problem) return renderShow(req, res, { values: formValues(req.body), fieldErrors: { amount: problem } }, 400);
    await renderPage(res, 'payments/refund-confirm', { title: 'Confirm refund', base: BASE, payment: presentPayment(row), form, refundable: refundableAmount(row) });
  });

  // Step two: Stripe refunds the card, the account's ledger gets the negative row.
  router.post('/:id/refund/confirm', refundForm, async (req, res) => {
    const form = refundForm.data(res);
    if (form.action === 'change') return renderShow(req, res, { values: formValues(req.body) });
    const row = await loadPayment(req);
    try {
      const result = await refundPayment(db, config, { paymentId: row.id, amount: form.amount, idempotencyKey: form.idempotency_key }, { actorId: currentAccount(res).id, now: now(), ip: req.ip });
      flash(req, 'success', result.refunded ? `Refunded ${config.currency} ${form.amount} to ${row.account_name}'s card; the ledger shows the refund.` : 'This refund had already been recorded; nothing more was refunded.');
    } catch (error) {
      if (error instanceof ValidationError) return renderShow(req, res, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    res.redirect(`${BASE}/${row.id}`);
  });

  return router;
}
