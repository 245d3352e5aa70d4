// Builds the Express app without listening: server.ts listens, supertest drives it in tests.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Db } from './db/knex.ts';
import { pingDatabase } from './db/open.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import './web/types.ts';
import { loadCurrentAccount, requireRole } from './web/middleware/auth.ts';
import { roleArea } from './web/middleware/role-area.ts';
import { csrfProtection } from './web/middleware/csrf.ts';
import { errorHandler, notFound } from './web/middleware/errors.ts';
import { requestLocals, templateLocals } from './web/middleware/locals.ts';
import { refuseNulBytes } from './web/middleware/nul-bytes.ts';
import { refuseDeepJson } from './web/middleware/json-depth.ts';
import { sessionMiddleware } from './web/middleware/session.ts';
import { undecodablePath } from './web/middleware/undecodable-path.ts';
import { accountRouter } from './web/routes/account.ts';
import { adminRouter } from './web/routes/admin/index.ts';
import { authRouter } from './web/routes/auth.ts';
import { passwordResetRouter } from './web/routes/password-reset/router.ts';
import { customerRouter } from './web/routes/customer/index.ts';
import { resellerRouter } from './web/routes/reseller/index.ts';
import { apiRouter, freeswitchRouter } from './web/routes/switch/index.ts';
import { refuseSwitchTokens } from './web/middleware/switch-auth.ts';
import { accountApiRouter } from './web/api/index.ts';
import type { AppContext } from './web/context.ts';
import { stripeWebhookRouter } from './web/routes/stripe-webhooks/router.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AppOptions {
  db: Db;
  config: Config;
  logger: Logger;
  now?: () => Date;
}

export function createApp(options: AppOptions): Express {
  const context: AppContext = { ...options, now: options.now ?? (() => new Date()) };
  const { db, config, logger } = context;
  const app = express();

  app.set('views', path.join(root, 'views'));
  app.set('view engine', 'ejs');
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');

  // Switches authenticate with a token, not a session: mounted before sessions and CSRF, and before
  // the page headers (CSP and the like mean nothing to a switch, and route requests are the hot path).
  app.use('/switch/freeswitch', freeswitchRouter(context));
  app.use('/api/v1', apiRouter(context));
  // Signed over the raw body: before any parser, session or CSRF check.
  app.use('/webhooks/stripe', stripeWebhookRouter(context));
  app.use('/api/v1', accountApiRouter(context));

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          // Add funds and Save a card post here and are redirected to Stripe Checkout: browsers apply
          // form-action to the redirect too. A stand-in Stripe (STRIPE_API_*) serves its Checkout itself.
          'form-action': ["'self'", 'https://checkout.stripe.com', ...stripeStandInOrigin(config)],
          // Only behind TLS: on plain HTTP (a LAN address) it would break the stylesheet.
          'upgrade-insecure-requests': config.secureCookies ? [] : null,
        },
      },
      // Plain-HTTP local runs must not be told to upgrade to HTTPS.
      strictTransportSecurity: config.secureCookies,
    }),
  );
  app.use('/static', express.static(path.join(root, 'public'), { maxAge: config.env === 'production' ? '1h' : 0 }));
  app.use('/static/swagger-ui', express.static(path.join(root, 'node_modules', 'swagger-ui-dist'), { maxAge: config.env === 'production' ? '1h' : 0, index: false }));
  app.get('/healthz', async (_req, res) => {
    await pingDatabase(db);
    res.json({ status: 'ok' });
  });

  app.use(refuseSwitchTokens);

  app.use(requestLocals(config));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(express.json({ limit: '1mb', verify: refuseDeepJson }));
  app.use(sessionMiddleware(db, config));
  app.use(loadCurrentAccount(db));
  app.use(templateLocals);
  // After the account is known, so the refusal's page has the menu.
  app.use(refuseNulBytes);
  app.use(csrfProtection());

  app.use(authRouter(context));
  app.use(passwordResetRouter(context));
  app.use('/account', requireRole(), accountRouter(context));
  app.use('/admin', roleArea('admin'), adminRouter(context));
  app.use('/reseller', roleArea('reseller'), resellerRouter(context));
  app.use('/customer', roleArea('customer'), customerRouter(context));

  app.use(notFound);
  app.use(undecodablePath);
  app.use(errorHandler(logger));
  return app;
}

/** The origin of a stand-in Stripe set through STRIPE_API_* (development, tests), if any. */
function stripeStandInOrigin(config: Config): string[] {
  const { host, port, protocol } = config.stripeApi;
  if (!host) return [];
  return [`${protocol ?? 'https'}://${host}${port ? `:${port}` : ''}`];
}
