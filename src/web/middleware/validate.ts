// zod at the edge (DESIGN, convention 3): a route names the schema of its form or query string and
// its handler runs only with parsed data. A failed parse re-renders the route's page with status
// 400, the input kept and one message per field; JSON routes answer JSON; a route that gives no
// page of its own gets the error page (400). Path ids are read by idParam, the one way.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { NotFoundError, ValidationError, type FieldErrors } from '../../errors.ts';

/** What a failed parse gives the page that shows it again. */
export interface Invalid {
  errors: FieldErrors;
  /** The submitted values as strings (passwords left out), to put back into the form. */
  values: Record<string, string>;
}

export interface ValidateOptions<T> {
  /** Where the input is: the form (default) or the query string. */
  from?: 'body' | 'query';
  /** Renders the route's page again with the errors, at status 400. */
  onInvalid?: (req: Request, res: Response, invalid: Invalid) => Promise<unknown> | unknown;
  /** A list's filters: the list still shows, filtered by the valid ones (else by these values), with the errors and 400. */
  fallback?: T;
  /** A route that answers no page: a failed parse answers `{ error, fields }` (json) or one line per field (text, for a CSV export), status 400. */
  answer?: 'json' | 'text';
}

export interface Validated<T> extends RequestHandler {
  /** This request's parsed input (the fallback when the filters failed). */
  data(res: Response): T;
  /** The failed filters of a list with a fallback; undefined when they parsed. */
  invalid(res: Response): Invalid | undefined;
}

type SchemaOf<S> = S | ((req: Request, res: Response) => S);

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '_form';
    errors[field] ??= issue.message;
  }
  return errors;
}

/** The submitted values as strings, to put back into a form that failed. */
export function formValues(body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return values;
  for (const [key, value] of Object.entries(body)) {
    if (key === '_csrf' || key.toLowerCase().includes('password')) continue;
    if (typeof value === 'string') values[key] = value;
  }
  return values;
}

/** A list's filters with the failed ones left out, parsed again: one bad filter does not throw the valid ones away. */
function withoutInvalid<S extends z.ZodType>(schema: S, input: unknown, errors: FieldErrors): z.infer<S> | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const failedKeys = new Set(Object.keys(errors).map((key) => key.split('.')[0]));
  const rest = Object.fromEntries(Object.entries(input).filter(([key]) => !failedKeys.has(key)));
  const again = schema.safeParse(rest);
  return again.success ? (again.data as z.infer<S>) : undefined;
}

export function validate<S extends z.ZodType>(schemaOf: SchemaOf<S>, options: ValidateOptions<z.infer<S>> = {}): Validated<z.infer<S>> {
  const parsed = new WeakMap<Response, z.infer<S>>();
  const failed = new WeakMap<Response, Invalid>();
  const middleware = async (req: Request, res: Response, next: NextFunction) => {
    const schema = typeof schemaOf === 'function' ? (schemaOf as (req: Request, res: Response) => S)(req, res) : schemaOf;
    // A POST that no body parser took (no Content-Type, or JSON sent to a form) is an empty form.
    const input: unknown = req[options.from ?? 'body'] ?? {};
    const result = schema.safeParse(input);
    if (result.success) {
      parsed.set(res, result.data);
      return next();
    }
    const invalid: Invalid = { errors: fieldErrorsOf(result.error), values: formValues(input) };
    if (options.fallback !== undefined) {
      parsed.set(res, withoutInvalid(schema, input, invalid.errors) ?? options.fallback);
      failed.set(res, invalid);
      return next();
    }
    if (options.onInvalid) return void (await options.onInvalid(req, res, invalid));
    const message = Object.values(invalid.errors)[0] ?? 'Check the form';
    if (options.answer === 'json') return void res.status(400).json({ error: message, fields: invalid.errors });
    if (options.answer === 'text') {
      return void res.status(400).type('text').send(Object.entries(invalid.errors).map(([field, text]) => `${field}: ${text}`).join('\n'));
    }
    throw new ValidationError(message, invalid.errors);
  };
  return Object.assign(middleware, {
    data(res: Response): z.infer<S> {
      if (!parsed.has(res)) throw new Error('validate() must run before the handler that reads its data');
      return parsed.get(res) as z.infer<S>;
    },
    invalid: (res: Response) => failed.get(res),
  });
}

/** What a list page shows of its filters: the parsed ones, or the typed ones with their errors. */
export function filterState(invalid: Invalid | undefined, current: object) {
  return invalid
    ? { values: invalid.values, fieldErrors: invalid.errors, status: 400 }
    : { values: current, fieldErrors: {}, status: 200 };
}

const PATH_ID = /^\d{1,15}$/;

/** A numeric id from the path (at most 15 digits: a safe integer); anything else is a 404. */
export function idParam(req: Request, name = 'id', notFound = 'There is no such page'): number {
  const text = req.params[name];
  if (typeof text !== 'string' || !PATH_ID.test(text)) throw new NotFoundError(notFound);
  return Number(text);
}

/** The same rule for an id that comes in a query string or a form field. */
export function idText(value: unknown): number | undefined {
  return typeof value === 'string' && PATH_ID.test(value) ? Number(value) : undefined;
}
