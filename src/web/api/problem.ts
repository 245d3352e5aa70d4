// Errors of the account API as RFC 9457 problem details (application/problem+json): `type`,
// `title`, `status`, `detail`, and `errors` (one message per field) for bad input.
import type { ErrorRequestHandler, Response } from 'express';
import { AppError, UnprocessableError, ValidationError, translateDbError, type FieldErrors } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { bodyParserError } from '../middleware/errors.ts';

const KINDS: Record<number, { type: string; title: string }> = {
  400: { type: 'validation-error', title: 'The request is not valid' },
  401: { type: 'unauthorized', title: 'No valid API key' },
  402: { type: 'insufficient-funds', title: 'Insufficient funds' },
  403: { type: 'forbidden', title: 'Not allowed' },
  404: { type: 'not-found', title: 'Not found' },
  409: { type: 'conflict', title: 'Conflict' },
  413: { type: 'too-large', title: 'The request body is too large' },
  415: { type: 'unsupported-media-type', title: 'Unsupported encoding' },
  422: { type: 'unprocessable', title: 'The request cannot be processed as sent' },
  429: { type: 'rate-limited', title: 'Too many requests' },
  500: { type: 'internal-error', title: 'Something went wrong' },
};

export const PROBLEM_TYPES = Object.values(KINDS).map((kind) => kind.type);

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldErrors;
  request_id?: string;
}

export function problemOf(status: number, detail: string, errors?: FieldErrors): Problem {
  const kind = KINDS[status] ?? { type: 'error', title: 'Error' };
  return { type: `/problems/${kind.type}`, title: kind.title, status, detail, ...(errors && Object.keys(errors).length > 0 ? { errors } : {}) };
}

function fieldsOf(error: AppError): FieldErrors | undefined {
  return error instanceof ValidationError || error instanceof UnprocessableError ? error.fields : undefined;
}

/** A refusal as the answer an Idempotency-Key saves and replays (no request id: a replay answers the same body). */
export function problemAnswer(error: AppError): { status: number; body: Problem } {
  return { status: error.status, body: problemOf(error.status, error.message, fieldsOf(error)) };
}

export function sendProblem(res: Response, status: number, detail: string, errors?: FieldErrors): void {
  const problem = { ...problemOf(status, detail, errors), ...(res.locals.requestId ? { request_id: String(res.locals.requestId) } : {}) };
  res.status(status).type('application/problem+json').send(JSON.stringify(problem));
}

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (rawError: unknown, req, res, _next) => {
    const error = bodyParserError(rawError) ?? translateDbError(rawError);
    if (res.headersSent) return;
    if (error instanceof AppError) {
      if (error.status === 401) res.set('WWW-Authenticate', 'Bearer realm="didhub API"');
      sendProblem(res, error.status, error.message, fieldsOf(error));
      return;
    }
    logger.error({ err: rawError, url: req.originalUrl }, 'unhandled API error');
    sendProblem(res, 500, 'An unexpected error happened. It has been logged.');
  };
}
