// "Webhooks" for every role (its own account's endpoints only): list, add, edit, the signing
// secret, a test event, enable/disable, delete, and each endpoint's delivery log with Resend.
// Mounted at /<role>/webhooks; an id of another account's endpoint is a 404.
import { Router, type Request, type Response } from 'express';
import { listOutboxMessages } from '../../../db/queries/outbox.ts';
import { listAttemptsOfMessages } from '../../../db/queries/webhook-deliveries.ts';
import { listWebhookEndpoints } from '../../../db/repos/webhook-endpoints.ts';
import { ValidationError } from '../../../errors.ts';
import {
  changeWebhookEndpoint,
  createWebhookEndpoint,
  findOwnEndpoint,
  removeWebhookEndpoint,
  resendWebhookMessage,
  sendTestWebhook,
  type EndpointInput,
} from '../../../services/webhooks.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { filterState, formValues, idParam, validate, type Invalid } from '../../middleware/validate.ts';
import { hrefWith, pageLinks, pageWindow } from '../../presenters/page-links.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { eventChoices, presentDelivery, presentEndpoint } from './presenter.ts';
import { actionSchema, checkedValues, deliveriesQuerySchema, endpointSchema } from './schema.ts';
import { deliveriesExportRoute } from './export.ts';

const PAGE_SIZE = 20;

const ACTION_DONE: Record<string, string> = {
  enable: 'Endpoint enabled: new events are sent to it again.',
  disable: 'Endpoint disabled: no events are sent to it until you enable it.',
  'rotate-secret': 'New signing secret: deliveries from now on are signed with it. Update your receiver.',
  test: 'Test event queued: it appears in the delivery log below.',
};

export function webhooksRouter({ db, config, now }: AppContext): Router {
  const router = Router();
  const base = (req: Request) => req.baseUrl;
  const accountId = (res: Response) => currentAccount(res).id;
  const endpointId = (req: Request) => idParam(req, 'id', 'There is no such webhook endpoint');
  const settings = (res: Response) => ({ allowHttp: config.webhookAllowHttp, actorId: accountId(res), now: now() });

  const showForm = async (req: Request, res: Response, form: { id?: number; values: Record<string, string>; events: string[]; fieldErrors?: Record<string, string> }, status = 200) => {
    const title = form.id ? 'Edit webhook endpoint' : 'Add a webhook endpoint';
    const action = form.id ? `${base(req)}/${form.id}` : base(req);
    await renderPage(res, 'webhooks/form', { title, action, base: base(req), eventChoices, checked: form.events, values: form.values, fieldErrors: form.fieldErrors ?? {}, allowHttp: config.webhookAllowHttp }, status);
  };
  const formAgain = (req: Request, res: Response, invalid: Invalid) =>
    showForm(req, res, { ...(req.params.id ? { id: endpointId(req) } : {}), values: invalid.values, events: checkedValues((req.body as Record<string, unknown>)?.events), fieldErrors: invalid.errors }, 400);
  const endpointForm = validate(endpointSchema, { onInvalid: formAgain });
  // The service checks the URL against WEBHOOK_ALLOW_HTTP: its refusal shows in the form too.
  const saving = async (req: Request, res: Response, save: (input: EndpointInput) => Promise<{ id: number }>) => {
    try {
      const saved = await save(endpointForm.data(res));
      res.redirect(`${base(req)}/${saved.id}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await formAgain(req, res, { values: formValues(req.body), errors: error.fields });
    }
  };

  router.get('/', async (req, res) => {
    const endpoints = (await listWebhookEndpoints(db, accountId(res))).map((row) => presentEndpoint(base(req), row));
    await renderPage(res, 'webhooks/list', { title: 'Webhooks', endpoints, base: base(req) });
  });

  router.get('/new', async (req, res) => {
    await showForm(req, res, { values: {}, events: [] });
  });

  router.post('/', endpointForm, async (req, res) => {
    await saving(req, res, async (input) => {
      const row = await createWebhookEndpoint(db, accountId(res), input, settings(res));
      flash(req, 'success', 'Endpoint added. Verify deliveries with the signing secret below, then send a test event.');
      return row;
    });
  });

  deliveriesExportRoute(router, db);
  const deliveriesQuery = validate(deliveriesQuerySchema, { from: 'query', fallback: { page: 1, status: undefined } });
  router.get('/:id', deliveriesQuery, async (req, res) => {
    const endpoint = await findOwnEndpoint(db, accountId(res), endpointId(req));
    const query = deliveriesQuery.data(res);
    const filter = filterState(deliveriesQuery.invalid(res), { status: query.status ?? '' });
    const { rows, total } = await listOutboxMessages(db, { channel: 'webhook', endpointId: endpoint.id, status: query.status }, pageWindow(query.page, PAGE_SIZE));
    const attempts = await listAttemptsOfMessages(db, rows.map((row) => row.id));
    const view = presentEndpoint(base(req), endpoint);
    res.set('Cache-Control', 'no-store');
    await renderPage(
      res,
      'webhooks/show',
      {
        title: `Webhook endpoint ${endpoint.url}`, base: base(req), endpoint: view, secret: endpoint.secret, ...filter,
        deliveries: rows.map((row) => presentDelivery(row, attempts.get(row.id) ?? [])),
        pager: pageLinks(view.href, { status: query.status }, total, query.page, PAGE_SIZE), exportHref: hrefWith(`${view.href}/export.csv`, { status: query.status }),
      },
      filter.status,
    );
  });

  router.get('/:id/edit', async (req, res) => {
    const endpoint = await findOwnEndpoint(db, accountId(res), endpointId(req));
    await showForm(req, res, { id: endpoint.id, values: { url: endpoint.url, description: endpoint.description }, events: endpoint.events });
  });

  router.post('/:id', endpointForm, async (req, res) => {
    const id = endpointId(req);
    await saving(req, res, async (input) => {
      const row = await changeWebhookEndpoint(db, accountId(res), id, { kind: 'edit', input }, settings(res));
      flash(req, 'success', 'Endpoint saved.');
      return row;
    });
  });

  const actionForm = validate(actionSchema, {
    onInvalid: (req, _res, invalid) => {
      endpointId(req);
      throw new ValidationError('Unknown action', invalid.errors);
    },
  });
  router.post('/:id/actions', actionForm, async (req, res) => {
    const id = endpointId(req);
    const { action } = actionForm.data(res);
    if (action === 'delete') {
      await removeWebhookEndpoint(db, accountId(res), id, settings(res));
      flash(req, 'success', 'Endpoint deleted. Its past deliveries are no longer listed.');
      res.redirect(base(req));
      return;
    }
    if (action === 'test') await sendTestWebhook(db, accountId(res), id, now());
    else await changeWebhookEndpoint(db, accountId(res), id, { kind: action }, settings(res));
    flash(req, 'success', ACTION_DONE[action]!);
    res.redirect(`${base(req)}/${id}`);
  });

  router.get('/:id/delete', async (req, res) => {
    const endpoint = await findOwnEndpoint(db, accountId(res), endpointId(req));
    await renderPage(res, 'webhooks/delete', { title: 'Delete webhook endpoint', endpoint: presentEndpoint(base(req), endpoint) });
  });

  router.post('/:id/deliveries/:messageId/resend', async (req, res) => {
    const id = endpointId(req);
    const messageId = idParam(req, 'messageId', 'There is no such delivery');
    await resendWebhookMessage(db, accountId(res), id, messageId, now());
    flash(req, 'success', `Delivery ${messageId} queued again, with the same webhook-id.`);
    res.redirect(`${base(req)}/${id}`);
  });

  return router;
}
