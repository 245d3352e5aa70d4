// The Notifications page every account has (mounted under /account): optional notices, the
// low-balance threshold, billing contacts.
import { Router, type Response } from 'express';
import type { FieldErrors } from '../../../errors.ts';
import { ValidationError } from '../../../errors.ts';
import {
  addContact,
  loadNotificationSettings,
  removeContact,
  saveNotificationChoices,
} from '../../../services/notification-settings.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { idParam, validate } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { presentNotifications } from './presenter.ts';
import { contactSchema, preferencesSchema } from './schema.ts';

const PATH = '/account/notifications';

interface Shown {
  values?: Record<string, string>;
  fieldErrors?: FieldErrors;
  /** The notices as ticked in a form that failed, instead of the saved ones. */
  ticked?: string[];
}

function tickedIn(body: unknown): string[] {
  const notices = (body as Record<string, unknown> | undefined)?.notices;
  return (Array.isArray(notices) ? notices : [notices]).filter((value): value is string => typeof value === 'string');
}

export function notificationsRouter({ db, config, now }: AppContext): Router {
  const router = Router();

  async function renderSettings(res: Response, shown: Shown = {}, status = 200): Promise<void> {
    const account = currentAccount(res);
    const page = presentNotifications(await loadNotificationSettings(db, account.id), config.moneyDecimals, shown.ticked);
    await renderPage(res, 'account/notifications', {
      title: 'Notifications', page, email: account.email, currency: config.currency,
      values: { low_balance_threshold: page.thresholdText, ...shown.values }, fieldErrors: shown.fieldErrors,
    }, status);
  }

  router.get('/', async (_req, res) => {
    await renderSettings(res);
  });

  const preferencesForm = validate(preferencesSchema(config), {
    onInvalid: (req, res, { values, errors }) => renderSettings(res, { values, fieldErrors: errors, ticked: tickedIn(req.body) }, 400),
  });

  router.post('/', preferencesForm, async (req, res) => {
    const form = preferencesForm.data(res);
    await saveNotificationChoices(db, currentAccount(res).id, { enabled: form.notices, lowBalanceThreshold: form.low_balance_threshold }, now());
    flash(req, 'success', 'Your notification settings have been saved.');
    res.redirect(PATH);
  });

  const contactForm = validate(contactSchema, {
    onInvalid: (_req, res, { values, errors }) => renderSettings(res, { values, fieldErrors: errors }, 400),
  });

  router.post('/contacts', contactForm, async (req, res) => {
    const { contact_email: email } = contactForm.data(res);
    try {
      await addContact(db, currentAccount(res), email, now());
    } catch (error) {
      if (error instanceof ValidationError) return renderSettings(res, { values: { contact_email: email }, fieldErrors: error.fields }, 400);
      throw error;
    }
    flash(req, 'success', `${email} will get the account's notices and receipts.`);
    res.redirect(PATH);
  });

  router.post('/contacts/:id/delete', async (req, res) => {
    await removeContact(db, currentAccount(res).id, idParam(req, 'id', 'No such billing contact'));
    flash(req, 'success', 'The billing contact has been removed.');
    res.redirect(PATH);
  });

  return router;
}
