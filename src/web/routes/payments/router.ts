// An account's own Payments (customer and reseller areas): its card payments, "Add funds" through
// Stripe Checkout, and the page Checkout returns to, which shows the payment pending until the
// webhook confirms it.
import { Router, type Response } from 'express';
import { findOwnPayment, listPaymentBatch, listPayments } from '../../../db/queries/payments.ts';
import { keysetBatches } from '../../../services/csv-export.ts';
import { PaymentsOffError, startTopUp } from '../../../services/stripe-checkout.ts';
import { payeeOf } from '../../../services/stripe-settings.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { formValues, idParam, validate } from '../../middleware/validate.ts';
import { pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { renderPage, sendCsv } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { paymentsCsv, presentPayment } from './presenter.ts';
import { addFundsSchema, paymentsQuerySchema } from './schema.ts';

const PAGE_SIZE = 50;

export function ownPaymentsRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  const base = (res: Response) => `/${areaRole(res)}/payments`;

  async function payeeView(res: Response) {
    const payee = await payeeOf(db, config, currentAccount(res));
    return { online: payee.keys !== undefined, contact: { name: payee.name, email: payee.email } };
  }

  async function renderAddFunds(res: Response, extra: Record<string, unknown>, status = 200) {
    await renderPage(res, 'payments/add-funds', {
      title: 'Add funds', base: base(res), ...(await payeeView(res)),
      limits: { min: config.paymentMinAmount, max: config.paymentMaxAmount, currency: config.currency }, values: {}, ...extra,
    }, status);
  }

  const listQuery = validate(paymentsQuerySchema, { from: 'query', fallback: { page: 1 } });
  router.get('/', listQuery, async (_req, res) => {
    const query = listQuery.data(res);
    const data = await listPayments(db, { accountId: currentAccount(res).id }, pageWindow(query.page, PAGE_SIZE));
    await renderPage(res, 'payments/own-list', {
      title: 'Payments', base: base(res), ...(await payeeView(res)), balance: currentAccount(res).balance,
      payments: data.rows.map(presentPayment), pager: pageLinks(base(res), {}, data.total, query.page, PAGE_SIZE), exportHref: `${base(res)}/export.csv`,
    });
  });

  router.get('/export.csv', async (_req, res) => {
    const filters = { accountId: currentAccount(res).id };
    const batches = keysetBatches((before: number | undefined, limit: number) => listPaymentBatch(db, filters, before, limit), (row) => row.id);
    await sendCsv(res, 'payments.csv', paymentsCsv(config.moneyDecimals), batches);
  });

  router.get('/add', async (_req, res) => renderAddFunds(res, {}));

  const addForm = validate(addFundsSchema, { onInvalid: (_req, res, { values, errors }) => renderAddFunds(res, { values, fieldErrors: errors }, 400) });
  router.post('/add', addForm, async (req, res) => {
    try {
      const started = await startTopUp(db, config, currentAccount(res), addForm.data(res).amount, base(res), now());
      res.redirect(303, started.url);
    } catch (error) {
      if (error instanceof ValidationError) return renderAddFunds(res, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      if (error instanceof PaymentsOffError) return renderAddFunds(res, { values: formValues(req.body), fieldErrors: { amount: error.message } }, 409);
      throw error;
    }
  });

  router.get('/:id', async (req, res) => {
    const payment = await findOwnPayment(db, currentAccount(res).id, idParam(req, 'id', 'No such payment'));
    if (!payment) throw new NotFoundError('No such payment');
    const returned = req.query.returned === 'success' || req.query.returned === 'cancel' ? req.query.returned : undefined;
    await renderPage(res, 'payments/show', { title: `Payment ${payment.id}`, base: base(res), payment: presentPayment(payment), returned });
  });

  return router;
}
