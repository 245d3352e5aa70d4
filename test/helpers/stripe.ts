// A local stand-in for api.stripe.com: the app's official `stripe` client is pointed at it through
// the client's documented host/port/protocol options (STRIPE_API_* settings). It records every
// request (path, form-encoded params, headers) for the test to check, and answers in the shapes of
// Stripe's API reference. Incoming webhooks are signed with the package's own test-header helper.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { Config } from '../../src/config.ts';
import { testConfig } from './app.ts';

export interface StripeRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  /** Form-encoded body, keys as Stripe writes them: `metadata[payment_id]`, `line_items[0][quantity]`. */
  params: Record<string, string>;
}

export interface FakeStripe {
  port: number;
  requests: StripeRequest[];
  /** The next PaymentIntent create is declined (a 402 card_error, as Stripe answers). */
  declineNextPaymentIntent(): void;
  close(): Promise<void>;
}

export interface FakeStripeOptions {
  /**
   * Serve Checkout too (browser tests): a session's `url` is this server's `/c/pay/<id>`, a tiny
   * page standing in for Stripe's hosted form that sends the browser straight to the success_url.
   * Otherwise the url is Stripe's own address, which nothing opens.
   */
  checkoutPages?: boolean;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const requests: StripeRequest[] = [];
  const successUrls = new Map<string, string>();
  let sequence = 0;
  let decline = false;
  let origin = '';
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const params = Object.fromEntries(new URLSearchParams(body));
      requests.push({
        method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined, params,
      });
      const n = ++sequence;
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${n}` });
        res.end(JSON.stringify(json));
      };
      const metadata = Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith('metadata[')).map(([k, v]) => [k.slice(9, -1), v]));
      const page = /^\/c\/pay\/(cs_test_\d+)$/.exec(url.pathname);
      if (req.method === 'GET' && page && successUrls.has(page[1]!)) {
        const target = escapeHtml(successUrls.get(page[1]!)!);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(`<!doctype html><title>Stripe Checkout (test stand-in)</title><meta http-equiv="refresh" content="0;url=${target}"><p>Paid. <a href="${target}">Back to the shop</a></p>`);
      }
      if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        const id = `cs_test_${n}`;
        if (params.success_url) successUrls.set(id, params.success_url);
        return send(200, {
          id, object: 'checkout.session', mode: params.mode, status: 'open', payment_status: params.mode === 'setup' ? 'no_payment_required' : 'unpaid',
          url: options.checkoutPages ? `${origin}/c/pay/${id}` : `https://checkout.stripe.com/c/pay/${id}`,
          metadata, customer: params.customer ?? null, payment_intent: null, setup_intent: null,
          ...(params.expires_at ? { expires_at: Number(params.expires_at) } : {}),
        });
      }
      if (req.method === 'POST' && url.pathname === '/v1/customers') {
        return send(200, { id: `cus_test_${n}`, object: 'customer', email: params.email ?? null, metadata });
      }
      if (req.method === 'POST' && url.pathname === '/v1/payment_intents') {
        if (decline) {
          decline = false;
          // Stripe's documented error for a declined off-session confirm: the failed PaymentIntent rides along.
          return send(402, { error: {
            type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.',
            charge: `ch_declined_${n}`, doc_url: 'https://stripe.com/docs/error-codes/card-declined', param: '',
            payment_intent: {
              id: `pi_test_${n}`, object: 'payment_intent', amount: Number(params.amount), currency: params.currency, status: 'requires_payment_method',
              last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' }, metadata,
            },
          } });
        }
        const amount = Number(params.amount);
        return send(200, {
          id: `pi_test_${n}`, object: 'payment_intent', amount, amount_received: amount, currency: params.currency, status: 'succeeded',
          customer: params.customer ?? null, payment_method: params.payment_method ?? null, latest_charge: `ch_test_${n}`, metadata,
        });
      }
      if (req.method === 'POST' && url.pathname === '/v1/refunds') {
        return send(200, {
          id: `re_test_${n}`, object: 'refund', amount: Number(params.amount), currency: 'usd', charge: `ch_for_${params.payment_intent}`,
          payment_intent: params.payment_intent, status: 'succeeded', metadata,
        });
      }
      const setupIntent = /^\/v1\/setup_intents\/([\w-]+)$/.exec(url.pathname);
      if (req.method === 'GET' && setupIntent) {
        return send(200, {
          id: setupIntent[1], object: 'setup_intent', status: 'succeeded', usage: 'off_session',
          payment_method: { id: `pm_test_${n}`, object: 'payment_method', type: 'card', card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 } },
        });
      }
      send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname})` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    declineNextPaymentIntent: () => void (decline = true),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The app's settings, talking to the fake Stripe. */
export function stripeTestConfig(fake: FakeStripe, overrides: Record<string, string> = {}): Config {
  return testConfig({ STRIPE_API_HOST: '127.0.0.1', STRIPE_API_PORT: String(fake.port), STRIPE_API_PROTOCOL: 'http', PUBLIC_URL: 'http://portal.test', ...overrides });
}

const signer = new Stripe('sk_test_signer_only');

let eventSequence = 0;

/** A Stripe event (API reference shape) and its body and Stripe-Signature header. */
export function signedEvent(secret: string, type: string, object: Record<string, unknown>, id = `evt_test_${process.pid}_${++eventSequence}`) {
  const payload = JSON.stringify({ id, object: 'event', api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000), type, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object } });
  return { id, payload, header: signer.webhooks.generateTestHeaderString({ payload, secret }) };
}
