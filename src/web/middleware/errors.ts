import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../logger.ts';
import { AppError, NotFoundError, translateDbError } from '../../errors.ts';
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

function wantsJson(accept: string | undefined, path: string): boolean {
  return path.startsWith('/api/') || (accept !== undefined && accept.includes('application/json') && !accept.includes('text/html'));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return async (rawError: unknown, req, res, _next) => {
    const error = translateDbError(rawError);
    const known = error instanceof AppError;
    const status = known ? error.status : 500;
    const message = known ? error.message : 'An unexpected error happened. It has been logged.';
    if (!known) logger.error({ err: rawError, requestId: res.locals.requestId, url: req.originalUrl }, 'unhandled error');
    if (res.headersSent) return;
    if (wantsJson(req.get('accept'), req.path)) {
      res.status(status).json({ error: message, requestId: res.locals.requestId });
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
