// A seller records money for an account it manages (payment, refill or adjustment): a form, a
// confirmation with the balance before and after, then the entry, once per form.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { AccountListRow } from '../../../db/repos/account-directory.ts';
import { toPlain } from '../../../domain/money.ts';
import { ValidationError } from '../../../errors.ts';
import { getManagedAccount } from '../../../services/account-management.ts';
import { availableFunds } from '../../../services/ledger.ts';
import { MANUAL_KINDS, MANUAL_KIND_LABELS, previewManualEntry, recordManualEntry, type ManualEntryInput } from '../../../services/manual-postings.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { areaRole } from '../../middleware/role-area.ts';
import { formValues, idParam, validate } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { accountScope, audienceOf } from './presenter.ts';
import { moneyQuerySchema, moneySchema, type MoneyForm } from './schema.ts';

function manualInput(accountId: number, data: MoneyForm): ManualEntryInput {
  return { accountId, kind: data.kind, amount: data.amount, note: data.note, correctsEntryId: data.corrects_entry_id, idempotencyKey: data.idempotency_key };
}

export function moneyRouter({ db, config, now }: AppContext): Router {
  const router = Router();
  const loadAccount = (req: Request, res: Response) => getManagedAccount(db, accountScope(res), idParam(req, 'id', 'No such account'));

  async function renderMoneyForm(res: Response, account: AccountListRow, extra: Record<string, unknown>, status = 200) {
    await renderPage(res, 'accounts/money', {
      title: `Record money for ${account.name}`, ...audienceOf(areaRole(res)), account, availableFunds: availableFunds(account),
      kinds: MANUAL_KINDS.map((kind) => ({ value: kind, label: MANUAL_KIND_LABELS[kind] })),
      ...extra,
    }, status);
  }

  const moneyQuery = validate(moneyQuerySchema, { from: 'query' });

  router.get('/:id/money', moneyQuery, async (req, res) => {
    const account = await loadAccount(req, res);
    const { kind = 'payment', corrects = '' } = moneyQuery.data(res);
    await renderMoneyForm(res, account, { values: { kind: corrects ? 'adjustment' : kind, corrects_entry_id: corrects, idempotency_key: randomUUID() } });
  });

  const moneyForm = validate(moneySchema(config), {
    onInvalid: async (req, res, { values, errors }) => renderMoneyForm(res, await loadAccount(req, res), { values, fieldErrors: errors }, 400),
  });

  // Step one: check the form and show the balance before and after; nothing is written yet.
  router.post('/:id/money', moneyForm, async (req, res) => {
    const scope = accountScope(res);
    const account = await loadAccount(req, res);
    const form = moneyForm.data(res);
    let preview;
    try {
      preview = await previewManualEntry(db, scope, manualInput(account.id, form));
    } catch (error) {
      if (error instanceof ValidationError) return renderMoneyForm(res, account, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    await renderPage(res, 'accounts/money-confirm', {
      title: 'Confirm', ...audienceOf(areaRole(res)), account, preview,
      form: { ...form, kindLabel: MANUAL_KIND_LABELS[form.kind] },
      values: formValues(req.body),
    });
  });

  // Step two: the confirmed form moves the money, once per form.
  router.post('/:id/money/confirm', moneyForm, async (req, res) => {
    const account = await loadAccount(req, res);
    const form = moneyForm.data(res);
    if (form.action === 'change') return renderMoneyForm(res, account, { values: formValues(req.body), fieldErrors: {} });
    let result;
    try {
      result = await recordManualEntry(db, accountScope(res), manualInput(account.id, form), { actorId: currentAccount(res).id, now: now(), ip: req.ip });
    } catch (error) {
      if (error instanceof ValidationError) return renderMoneyForm(res, account, { values: formValues(req.body), fieldErrors: error.fields }, 400);
      throw error;
    }
    const amount = `${config.currency} ${toPlain(result.entry.amount, config.moneyDecimals)}`;
    if (result.duplicate) flash(req, 'info', `This ${result.entry.kind} had already been recorded (entry ${result.entry.id}); nothing more was charged or credited.`);
    else flash(req, 'success', `${MANUAL_KIND_LABELS[form.kind]} of ${amount} recorded for ${account.name} (entry ${result.entry.id}).`);
    res.redirect(`${audienceOf(areaRole(res)).base}/${account.id}/transactions`);
  });

  return router;
}
