// "Mail templates": the admin's (the mails of its direct accounts, at /admin/mail-templates) and a
// reseller's (its customers' mails and its sender name, at /reseller/mail-templates).
import { Router, type Request, type Response } from 'express';
import { findMailSenderName } from '../../../db/repos/mail-templates.ts';
import { isMailEventType, type MailEventType } from '../../../domain/mail-events.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { listTemplatesFor, loadTemplateFor, previewTemplate, resetTemplate, saveTemplate, setSenderName } from '../../../services/mail-templates.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { formValues, validate, type Invalid } from '../../middleware/validate.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { presentTemplateRow, presentVariables } from './presenter.ts';
import { senderSchema, templateSchema } from './schema.ts';

export function mailTemplatesRouter({ db, config, now }: AppContext, audience: 'admin' | 'reseller'): Router {
  const router = Router();
  const base = `/${audience}/mail-templates`;
  const ownerOf = (res: Response) => (audience === 'admin' ? null : currentAccount(res).id);
  const eventOf = (req: Request): MailEventType => {
    const event = req.params.event;
    if (typeof event !== 'string' || !isMailEventType(event)) throw new NotFoundError('There is no such mail');
    return event;
  };

  const renderIndex = async (res: Response, invalid?: Invalid) => {
    const owner = ownerOf(res);
    const rows = (await listTemplatesFor(db, owner)).map(presentTemplateRow);
    const senderName = owner === null ? config.mailFrom.name : ((await findMailSenderName(db, owner)) ?? currentAccount(res).name);
    await renderPage(res, 'mail-templates/index', {
      title: 'Mail templates', base, audience, rows, senderName, fromAddress: config.mailFrom.address,
      values: invalid?.values ?? { sender_name: senderName }, fieldErrors: invalid?.errors ?? {},
    }, invalid ? 400 : 200);
  };

  // A preview shows the typed template again (200); a refused one with its errors (400).
  const renderEdit = async (req: Request, res: Response, options: { invalid?: Invalid; preview?: unknown } = {}) => {
    const refused = Object.keys(options.invalid?.errors ?? {}).length > 0;
    const template = await loadTemplateFor(db, ownerOf(res), eventOf(req));
    await renderPage(res, 'mail-templates/edit', {
      title: `Mail: ${template.spec.label}`, base, event: template.event, spec: template.spec,
      edited: Boolean(template.override), broken: template.override?.broken_at ? template.override.broken_error ?? 'failed to render' : null,
      variables: presentVariables(template), preview: options.preview ?? null,
      values: options.invalid?.values ?? template.content, fieldErrors: options.invalid?.errors ?? {},
    }, refused ? 400 : 200);
  };

  const templateForm = validate(templateSchema, { onInvalid: (req, res, invalid) => renderEdit(req, res, { invalid }) });
  const senderForm = validate(senderSchema, { onInvalid: (_req, res, invalid) => renderIndex(res, invalid) });

  router.get('/', async (_req, res) => renderIndex(res));

  if (audience === 'reseller') {
    router.post('/sender', senderForm, async (req, res) => {
      const name = await setSenderName(db, currentAccount(res).id, senderForm.data(res).sender_name, now());
      flash(req, 'success', `Your customers' mails now come from "${name}".`);
      res.redirect(base);
    });
  }

  router.get('/:event', async (req, res) => renderEdit(req, res));

  router.post('/:event', templateForm, async (req, res) => {
    const event = eventOf(req);
    const { action, ...content } = templateForm.data(res);
    try {
      if (action === 'preview') {
        const preview = await previewTemplate(db, ownerOf(res), event, content, config);
        return renderEdit(req, res, { preview, invalid: { values: formValues(req.body), errors: {} } });
      }
      await saveTemplate(db, ownerOf(res), event, content, now());
    } catch (error) {
      if (error instanceof ValidationError) return renderEdit(req, res, { invalid: { values: formValues(req.body), errors: error.fields } });
      throw error;
    }
    flash(req, 'success', 'The template was saved.');
    res.redirect(`${base}/${event}`);
  });

  router.post('/:event/reset', async (req, res) => {
    const event = eventOf(req);
    await resetTemplate(db, ownerOf(res), event);
    flash(req, 'success', 'The template is back to the default.');
    res.redirect(`${base}/${event}`);
  });

  return router;
}
