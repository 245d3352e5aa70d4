// Postgres text cannot hold a NUL character (U+0000): a value carrying one would fail deep in a
// query. It is refused here, once, for every form field and query filter of the pages.
import type { RequestHandler } from 'express';
import { ValidationError } from '../../errors.ts';

/** Whether any string (key or value) in a parsed body or query holds U+0000. A loop, not recursion: a JSON body may nest deeply. */
export function holdsNulByte(input: unknown): boolean {
  const pending: unknown[] = [input];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

export const NUL_BYTE_MESSAGE = 'The request holds a NUL character (U+0000), which didhub does not accept. Remove it and try again.';

export const refuseNulBytes: RequestHandler = (req, _res, next) => {
  next(holdsNulByte(req.query) || holdsNulByte(req.body) ? new ValidationError(NUL_BYTE_MESSAGE) : undefined);
};
