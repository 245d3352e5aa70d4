import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../logger.ts';
import { AppError, NotFoundError, ValidationError, translateDbError } from '../../errors.ts';
import { renderPage } from '../render.ts';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  402: 'Insufficient funds',
  403: 'Forbidden',
  404: 'Page not found',
  409: 'Conflict',
  429: 'Too many requests',
  500: 'Something went wrong',
};

export const notFound: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`There is no page at ${req.path}`));
};

// The switches' routes (/switch/, /api/) always answer in JSON, whatever they accept.
function wantsJson(accept: string | undefined, path: string): boolean {
  return path.startsWith('/api/') || path.startsWith('/switch/') || (accept !== undefined && accept.includes('application/json') && !accept.includes('text/html'));
}

/** The one place errors become responses: pages, and JSON for the switches' routes and JSON clients. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return async (rawError: unknown, req, res, _next) => {
    const error = translateDbError(rawError);
    const known = error instanceof AppError;
    const status = known ? error.status : 500;
    const message = known ? error.message : 'An unexpected error happened. It has been logged.';
    if (!known) logger.error({ err: rawError, requestId: res.locals.requestId, url: req.originalUrl }, 'unhandled error');
    if (res.headersSent) return;
    if (wantsJson(req.get('accept'), req.path)) {
      const fields = error instanceof ValidationError && Object.keys(error.fields).length > 0 ? error.fields : undefined;
      res.status(status).json({ error: message, fields, requestId: res.locals.requestId });
      return;
    }
    const view = status === 403 || status === 404 ? `errors/${status}` : status >= 500 ? 'errors/500' : 'errors/error';
    try {
      await renderPage(res, view, { title: TITLES[status] ?? 'Error', status, message }, status);
    } catch (renderError) {
      logger.error({ err: renderError, requestId: res.locals.requestId }, 'error page failed to render');
      res.status(status).type('text').send(message);
    }
  };
}
