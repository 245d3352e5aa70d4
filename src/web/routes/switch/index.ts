// The switches' routes: FreeSWITCH (mod_xml_curl dialplan lookups, mod_json_cdr CDRs) under
// /switch/freeswitch, and the plain JSON API (/api/v1) for other switches such as Kamailio.
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { AppError, ValidationError } from '../../../errors.ts';
import { buildNotFoundDocument, buildRefusalDocument, buildRouteDocument, parseDialplanRequest, parseFreeswitchCdr, parsePlainCdr, type CdrParseResult } from '../../../domain/freeswitch.ts';
import { authorizeCall, type CallDecision } from '../../../services/call-authorization.ts';
import { recordCdrs, type CdrOutcome, type IncomingCdr } from '../../../services/cdr-charging.ts';
import { JSON_TOO_DEEP, MAX_JSON_DEPTH, jsonDepthExceeds, refuseDeepJson } from '../../middleware/json-depth.ts';
import { refuseNulBytes } from '../../middleware/nul-bytes.ts';
import { requireSwitch } from '../../middleware/switch-auth.ts';
import type { AppContext } from '../../context.ts';

// A CDR batch of a few thousand records with their variables fits.
const BODY_LIMIT = '20mb';

// Keeps the body as received, so a CDR that is not valid JSON can still be stored as rejected;
// refuses one nested deeper than any CDR before it is parsed.
function keepRawBody(req: Request, res: unknown, body: Buffer): void {
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
function keepUnreadableCdrs(context: AppContext): ErrorRequestHandler {
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

const noSniff: RequestHandler = (_req, res, next) => {
  res.set('X-Content-Type-Options', 'nosniff');
  next();
};

function switchIdOf(res: { locals: { switch?: { id: number } } }): number | null {
  return res.locals.switch?.id ?? null;
}

function decisionJson(decision: CallDecision) {
  if (!decision.accepted) {
    return {
      decision: 'refuse', uuid: decision.uuid, number: decision.number, reason: decision.refusal.reason,
      cause: decision.refusal.cause, sip_code: decision.refusal.sipCode, message: decision.refusal.message,
    };
  }
  return {
    decision: 'accept', uuid: decision.uuid, number: decision.number, product_id: decision.productId, owner_id: decision.ownerId,
    destination_type: decision.destinationType, destination: decision.destination, bridge: decision.bridge,
    call_timeout: decision.callTimeout, max_seconds: decision.maxSeconds,
    reserved: decision.reserved, reseller_reserved: decision.resellerReserved,
    limits: { did: decision.didLimit, account: decision.accountLimit },
  };
}

function outcomeStatus(outcomes: CdrOutcome[]): number {
  return outcomes.some((o) => o.status === 'rejected') ? 400 : 200;
}

function cdrJson(outcome: CdrOutcome) {
  if (outcome.status === 'stored') return { status: 'stored', uuid: outcome.uuid, call_id: outcome.callId, cost: outcome.cost };
  if (outcome.status === 'duplicate') return { status: 'duplicate', uuid: outcome.uuid };
  return { status: 'rejected', uuid: outcome.uuid, reason: outcome.reason };
}

/**
 * mod_json_cdr posts raw JSON (encode=false), or a form whose `cdr` field holds the JSON
 * (encode=true) or its Base64 (encode=base64).
 */
function freeswitchCdrOf(req: Request): { parsed: CdrParseResult; payload: string } {
  if (req.is('application/x-www-form-urlencoded')) {
    const field = (req.body as Record<string, unknown>)?.cdr;
    if (typeof field !== 'string' || field.trim() === '') return { parsed: { ok: false, reason: 'the form has no "cdr" field' }, payload: JSON.stringify(req.body ?? {}) };
    let text = field.trim();
    if (!text.startsWith('{')) text = Buffer.from(text, 'base64').toString('utf8');
    if (jsonDepthExceeds(text)) return { parsed: { ok: false, reason: `the "cdr" field nests deeper than ${MAX_JSON_DEPTH} levels` }, payload: text };
    try {
      return { parsed: parseFreeswitchCdr(JSON.parse(text)), payload: text };
    } catch {
      return { parsed: { ok: false, reason: 'the "cdr" field is not JSON (nor Base64 of JSON)' }, payload: field };
    }
  }
  return { parsed: parseFreeswitchCdr(req.body), payload: JSON.stringify(req.body ?? null) };
}

export function freeswitchRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  router.use(noSniff);
  router.use(requireSwitch(db, now));
  router.use(express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  router.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'text/json'], verify: keepRawBody }));

  // A NUL byte cannot be looked up (Postgres text refuses it): the request is refused. CDRs are
  // not: each malformed record is kept as rejected.
  router.post('/dialplan', refuseNulBytes, async (req, res) => {
    const request = parseDialplanRequest((req.body ?? {}) as Record<string, unknown>);
    res.type('application/xml');
    // Other sections (directory, configuration) are not ours: FreeSWITCH uses its own files.
    if (request.section !== 'dialplan' || request.destinationNumber === '' || request.uuid === '') {
      res.send(buildNotFoundDocument());
      return;
    }
    const decision = await authorizeCall(db, config, {
      destination: request.destinationNumber, caller: request.callerNumber, uuid: request.uuid, switchId: switchIdOf(res), now: now(),
    });
    if (!decision.accepted) {
      res.send(buildRefusalDocument(request.context, request.destinationNumber, decision.refusal));
      return;
    }
    res.send(buildRouteDocument({
      context: request.context, destinationNumber: request.destinationNumber, number: decision.number, productId: decision.productId,
      ownerId: decision.ownerId, callTimeout: decision.callTimeout, maxSeconds: decision.maxSeconds, bridge: decision.bridge,
      reserved: decision.reserved, didLimit: decision.didLimit, accountLimit: decision.accountLimit,
    }));
  });

  router.post('/cdr', async (req, res) => {
    const incoming = freeswitchCdrOf(req);
    const [outcome] = await recordCdrs(db, [incoming], { source: 'freeswitch', switchId: switchIdOf(res), now: now(), decimals: config.moneyDecimals });
    res.status(outcomeStatus([outcome!])).json(cdrJson(outcome!));
  });

  router.use(keepUnreadableCdrs(context));
  return router;
}

export function apiRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  router.use(noSniff);
  router.use(requireSwitch(db, now));
  router.use(express.json({ limit: BODY_LIMIT, verify: keepRawBody }));

  router.post('/calls/authorize', refuseNulBytes, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
    const errors: Record<string, string> = {};
    if (!text('uuid')) errors.uuid = 'The call id (uuid) is required';
    if (!text('destination')) errors.destination = 'The dialled number (destination) is required';
    if (Object.keys(errors).length > 0) throw new ValidationError('Invalid request', errors);
    const decision = await authorizeCall(db, config, {
      destination: text('destination'), caller: text('caller'), uuid: text('uuid'), switchId: switchIdOf(res), now: now(),
    });
    res.json(decisionJson(decision));
  });

  router.post('/cdrs', async (req, res) => {
    const body = req.body as unknown;
    const records = Array.isArray(body) ? body : Array.isArray((body as { cdrs?: unknown })?.cdrs) ? (body as { cdrs: unknown[] }).cdrs : undefined;
    if (!records) {
      const reason = 'The body must be a JSON array of CDRs, or an object with a "cdrs" array';
      await recordCdrs(db, [{ parsed: { ok: false, reason }, payload: JSON.stringify(body ?? null) }], {
        source: 'api', switchId: switchIdOf(res), now: now(), decimals: config.moneyDecimals,
      });
      throw new ValidationError(reason);
    }
    const incoming: IncomingCdr[] = records.map((record) => ({ parsed: parsePlainCdr(record), payload: () => JSON.stringify(record) }));
    const outcomes = await recordCdrs(db, incoming, { source: 'api', switchId: switchIdOf(res), now: now(), decimals: config.moneyDecimals });
    const count = (status: CdrOutcome['status']) => outcomes.filter((o) => o.status === status).length;
    res.status(outcomeStatus(outcomes)).json({
      stored: count('stored'), duplicates: count('duplicate'), rejected: count('rejected'), results: outcomes.map(cdrJson),
    });
  });

  router.use(keepUnreadableCdrs(context));
  return router;
}
