// The account API's routes, each declared once: its method and path, the scope and roles it needs,
// the zod schemas of its path, query, body and answers. One declaration both mounts the Express
// handler (which validates with those schemas) and documents the route in the OpenAPI document, so
// the two cannot drift. A resource is a list of routes (one file per resource under src/web/api/).
import { OpenAPIRegistry, extendZodWithOpenApi, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Role } from '../../db/repos/accounts.ts';
import type { ApiScope } from '../../domain/api-keys.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import type { ApiCaller } from '../../services/api-keys.ts';
import { fieldErrorsOf } from '../middleware/validate.ts';
import { problemSchema } from './schemas.ts';

extendZodWithOpenApi(z);

export type Method = 'get' | 'post' | 'patch' | 'delete';

type Shape = z.ZodObject<z.ZodRawShape>;

export interface ApiInput<P extends Shape, Q extends Shape, B extends z.ZodType> {
  req: Request;
  res: Response;
  caller: ApiCaller;
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
}

export interface ApiAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ApiRoute<P extends Shape = Shape, Q extends Shape = Shape, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** Express syntax, relative to /api/v1: /numbers/:e164. */
  path: string;
  summary: string;
  tag: string;
  /** The scope a key needs. */
  scope: ApiScope;
  /** The roles whose keys may call it (all when left out). */
  roles?: Role[];
  params?: P;
  query?: Q;
  body?: B;
  /** Requires an Idempotency-Key header (requests that move money). */
  idempotent?: boolean;
  /** Success answers by status; the problem answers are added from the route's needs. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (input: ApiInput<P, Q, B>) => Promise<ApiAnswer>;
}

/** A route with its types checked against its own schemas, stored as the common shape. */
export function apiRoute<P extends Shape = z.ZodObject<Record<string, never>>, Q extends Shape = z.ZodObject<Record<string, never>>, B extends z.ZodType = z.ZodUndefined>(
  route: ApiRoute<P, Q, B>,
): ApiRoute {
  return route as unknown as ApiRoute;
}

/** OpenAPI path syntax: /numbers/{e164}. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

function parsed<T>(schema: z.ZodType<T> | undefined, input: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const errors = Object.fromEntries(Object.entries(fieldErrorsOf(result.error)).map(([field, message]) => [field === '_form' ? where : field, message]));
  throw new ValidationError(Object.values(errors)[0] ?? `The ${where} is not valid`, errors);
}

export function callerOf(res: Response): ApiCaller {
  const caller = res.locals.apiCaller as ApiCaller | undefined;
  if (!caller) throw new Error('requireApiKey must run before an API route');
  return caller;
}

function problemResponse(description: string): ResponseConfig {
  return { description, content: { 'application/problem+json': { schema: problemSchema } } };
}

/** Mounts the routes of one resource on a router of its own and documents each in `registry`. */
export function resourceRouter(routes: ApiRoute[], registry: OpenAPIRegistry): Router {
  const router = Router();
  for (const route of routes) {
    router[route.method](route.path, async (req, res) => {
      res.locals.apiRoute = route.path;
      const caller = callerOf(res);
      if (!caller.key.scopes.includes(route.scope)) throw new ForbiddenError(`This API key lacks the scope ${route.scope}`);
      if (route.roles && !route.roles.includes(caller.account.role)) throw new ForbiddenError(`This endpoint is for ${route.roles.join(' and ')} accounts`);
      const params = parsed(route.params, req.params, 'path');
      const query = parsed(route.query, req.query, 'query');
      const body = parsed(route.body, req.body, 'body');
      const answer = await route.handler({ req, res, caller, params, query, body });
      if (answer.headers) res.set(answer.headers);
      if (answer.status === 204) return void res.status(204).end();
      // A saved refusal replayed by an Idempotency-Key is a problem like any other.
      if ((answer.status ?? 200) >= 400) return void res.status(answer.status!).type('application/problem+json').send(JSON.stringify(answer.body));
      res.status(answer.status ?? 200).json(answer.body);
    });
    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      summary: route.summary,
      tags: [route.tag],
      description: `Scope: \`${route.scope}\`${route.roles ? `. Accounts: ${route.roles.join(', ')}` : ''}.`,
      security: [{ apiKey: [] }],
      request: {
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.idempotent ? { headers: z.object({ 'idempotency-key': z.string().min(8).max(100).openapi({ description: 'One key per operation: the same key and body replays the first answer' }) }) } : {}),
        ...(route.body ? { body: { content: { 'application/json': { schema: route.body } } } } : {}),
      },
      responses: {
        ...Object.fromEntries(
          Object.entries(route.responses).map(([status, { description, schema }]) => [
            status,
            schema ? { description, content: { 'application/json': { schema } } } : { description },
          ]),
        ),
        400: problemResponse('Bad input: `errors` has one message per field'),
        401: problemResponse('No valid API key'),
        403: problemResponse('The key lacks the scope, or the account the role'),
        404: problemResponse('Not found (or another account’s)'),
        429: problemResponse('Rate limited: see Retry-After'),
        ...(route.idempotent ? { 422: problemResponse('The Idempotency-Key was used with another request') } : {}),
      },
    });
  }
  return router;
}
