// Reading a switch's request body, and what happens when it cannot be read: the refusal the switch
// gets, and the CDR kept for the admin as it came.
import type { ErrorRequestHandler, Request } from 'express';
import { AppError } from '../../../errors.ts';
import { recordCdrs } from '../../../services/cdr-charging.ts';
import { JSON_TOO_DEEP, MAX_JSON_DEPTH, refuseDeepJson } from '../../middleware/json-depth.ts';
import type { AppContext } from '../../context.ts';

// A CDR batch of a few thousand records with their variables fits.
export const BODY_LIMIT = '20mb';

// Keeps the body as received, so a CDR that is not valid JSON can still be stored as rejected;
// refuses one nested deeper than any CDR before it is parsed.
export function keepRawBody(req: Request, res: unknown, body: Buffer): void {
  (req as Request & { rawBody?: Buffer }).rawBody = body;
  refuseDeepJson(req, res, body);
}

/** UTF-16 read as UTF-8 is no JSON at all: a byte order mark, or JSON's first character with a NUL byte beside it. */
function looksUtf16(raw: Buffer | undefined): boolean {
  if (!raw || raw.length < 2) return false;
  return (raw[0] === 0xff && raw[1] === 0xfe) || (raw[0] === 0xfe && raw[1] === 0xff) || raw[0] === 0 || raw[1] === 0;
}

/** Why body-parser refused the body, for the switch; undefined when the error is not its. */
function bodyRefusal(error: unknown, raw: Buffer | undefined): { status: number; reason: string } | undefined {
  const { type, status, message } = (error ?? {}) as { type?: unknown; status?: unknown; message?: string };
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (type === 'entity.too.large') return { status: 413, reason: `The body is larger than ${BODY_LIMIT}` };
  if (type === JSON_TOO_DEEP) return { status: 400, reason: `The body nests deeper than ${MAX_JSON_DEPTH} levels` };
  if (type === 'entity.parse.failed' && looksUtf16(raw)) return { status: 400, reason: 'The body is UTF-16: send UTF-8 JSON' };
  if (type === 'entity.parse.failed') return { status: 400, reason: `The body is not valid JSON: ${message ?? ''}`.trim() };
  return { status: 400, reason: `The body could not be read: ${message ?? type}` };
}

/**
 * A body that cannot be read: a CDR is still kept for the admin, as it came. The answer, like
 * every other error's, comes from the app's one error handler (JSON on these routes).
 */
export function keepUnreadableCdrs(context: AppContext): ErrorRequestHandler {
  return async (error: unknown, req, res, next) => {
    const raw = (req as Request & { rawBody?: Buffer }).rawBody;
    const refusal = bodyRefusal(error, raw);
    if (!refusal) return next(error);
    if (/\/cdrs?$/.test(req.path)) {
      await recordCdrs(context.db, [{ parsed: { ok: false, reason: refusal.reason }, payload: raw ? raw.toString('utf8') : '(not kept: the body was not read)' }], {
        source: req.baseUrl.startsWith('/api') ? 'api' : 'freeswitch', switchId: switchIdOf(res), now: context.now(), decimals: context.config.moneyDecimals,
      });
    }
    next(new AppError(refusal.reason, refusal.status));
  };
}

/** The switch the request came from (requireSwitch put it in res.locals). */
export function switchIdOf(res: { locals: { switch?: { id: number } } }): number | null {
  return res.locals.switch?.id ?? null;
}
