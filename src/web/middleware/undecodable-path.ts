// Express throws a URIError when a path parameter is not valid percent-encoding
// (/admin/dids/%E0%A4%A): such a path names no page, so it is a 404 like any unknown id.
import type { ErrorRequestHandler } from 'express';
import { NotFoundError } from '../../errors.ts';

export const undecodablePath: ErrorRequestHandler = (error: unknown, req, _res, next) => {
  next(error instanceof URIError ? new NotFoundError(`There is no page at ${req.path}`) : error);
};
