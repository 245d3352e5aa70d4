import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../logger.ts';
import { AppError, NotFoundError, ValidationError, translateDbError } from '../../errors.ts';
import { renderPage } from '../render.ts';
import { csrfTokenOf } from './csrf.ts';
import { JSON_TOO_DEEP, MAX_JSON_DEPTH } from './json-depth.ts';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  402: 'Insufficient funds',
  403: 'Forbidden',
  404: 'Page not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported encoding',
  429: 'Too many requests',
  500: 'Something went wrong',
};

export const notFound: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`There is no page at ${req.path}`));
};

// body-parser's refusals, in words for the person who sent the form.
const BODY_ERRORS: Record<string, string> = {
  'entity.too.large': 'The form is larger than didhub accepts (1 MB). Send less at once.',
  'parameters.too.many': 'The form has more fields than didhub accepts.',
  'entity.parse.failed': 'The request body is not valid JSON.',
  'charset.unsupported': 'The request body is in a character set didhub does not read: send UTF-8.',
  'encoding.unsupported': 'The request body is compressed in a way didhub does not read.',
  'request.aborted': 'The request was cut off before its body arrived.',
  'request.size.invalid': 'The request body is shorter or longer than it said.',
  [JSON_TOO_DEEP]: `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`,
};

/** A body-parser error (an http-errors 4xx with a `type`) as one of ours; undefined for anything else. */
export function bodyParserError(error: unknown): AppError | undefined {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status > 499) return undefined;
  // body-parser gives a refusal of its `verify` hook the status 403: too deep is bad input.
  return new AppError(BODY_ERRORS[type] ?? 'The request body could not be read.', type === JSON_TOO_DEEP ? 400 : status);
}

// The switches' routes (/switch/, /api/) always answer in JSON, whatever they accept.
function wantsJson(accept: string | undefined, path: string): boolean {
  return path.startsWith('/api/') || path.startsWith('/switch/') || (accept !== undefined && accept.includes('application/json') && !accept.includes('text/html'));
}

/** The one place errors become responses: pages, and JSON for the switches' routes and JSON clients. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return async (rawError: unknown, req, res, _next) => {
    const error = bodyParserError(rawError) ?? translateDbError(rawError);
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
    // A refused form (CSRF, body parser) never reached the middleware that puts the token out;
    // the layout's log-out form needs it.
    if (res.locals.currentAccount && req.session) res.locals.csrfToken ??= csrfTokenOf(req);
    const view = status === 403 || status === 404 ? `errors/${status}` : status >= 500 ? 'errors/500' : 'errors/error';
    try {
      await renderPage(res, view, { title: TITLES[status] ?? 'Error', status, message }, status);
    } catch (renderError) {
      logger.error({ err: renderError, requestId: res.locals.requestId }, 'error page failed to render');
      res.status(status).type('text').send(message);
    }
  };
}
