// The switches' routes: FreeSWITCH (mod_xml_curl dialplan lookups, mod_json_cdr CDRs) under
// /switch/freeswitch, and the plain JSON API (/api/v1) for other switches such as Kamailio.
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { AppError } from '../../../errors.ts';
import { buildNotFoundDocument, buildRefusalDocument, buildRouteDocument, parseDialplanRequest, parseFreeswitchCdr, parsePlainCdr, type CdrParseResult } from '../../../domain/freeswitch.ts';
import { authorizeCall, type CallDecision } from '../../../services/call-authorization.ts';
import { recordCdrs, type CdrOutcome, type IncomingCdr } from '../../../services/cdr-charging.ts';
import { requireSwitch } from '../../middleware/switch-auth.ts';
import type { AppContext } from '../../context.ts';

// A CDR batch of a few thousand records with their variables fits.
const BODY_LIMIT = '20mb';

// Keeps the body as received, so a CDR that is not valid JSON can still be stored as rejected.
function keepRawBody(req: Request, _res: unknown, body: Buffer): void {
  (req as Request & { rawBody?: Buffer }).rawBody = body;
}

function jsonErrors(context: AppContext): ErrorRequestHandler {
  return async (error: unknown, req, res, _next) => {
    const parseError = error as { type?: string; status?: number; message?: string };
    if (parseError.type === 'entity.parse.failed' || parseError.type === 'entity.too.large') {
      const reason = parseError.type === 'entity.too.large' ? `The body is larger than ${BODY_LIMIT}` : `The body is not valid JSON: ${parseError.message ?? ''}`.trim();
      // A CDR that cannot even be read is still kept for the admin, as it came.
      if (/\/cdrs?$/.test(req.path)) {
        const raw = (req as Request & { rawBody?: Buffer }).rawBody;
        await recordCdrs(context.db, [{ parsed: { ok: false, reason }, payload: raw ? raw.toString('utf8') : '(not kept: too large)' }], {
          source: req.baseUrl.startsWith('/api') ? 'api' : 'freeswitch', switchId: switchIdOf(res), now: context.now(), decimals: context.config.moneyDecimals,
        });
      }
      res.status(parseError.status ?? 400).json({ error: reason });
      return;
    }
    const status = error instanceof AppError ? error.status : 500;
    if (status === 500) context.logger.error({ err: error, url: req.originalUrl }, 'switch request failed');
    res.status(status).json({ error: error instanceof AppError ? error.message : 'An unexpected error happened. It has been logged.' });
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

  router.post('/dialplan', async (req, res) => {
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

  router.use(jsonErrors(context));
  return router;
}

export function apiRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  router.use(noSniff);
  router.use(requireSwitch(db, now));
  router.use(express.json({ limit: BODY_LIMIT, verify: keepRawBody }));

  router.post('/calls/authorize', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
    const errors: Record<string, string> = {};
    if (!text('uuid')) errors.uuid = 'The call id (uuid) is required';
    if (!text('destination')) errors.destination = 'The dialled number (destination) is required';
    if (Object.keys(errors).length > 0) {
      res.status(400).json({ error: 'Invalid request', fields: errors });
      return;
    }
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
      res.status(400).json({ error: reason });
      return;
    }
    const incoming: IncomingCdr[] = records.map((record) => ({ parsed: parsePlainCdr(record), payload: () => JSON.stringify(record) }));
    const outcomes = await recordCdrs(db, incoming, { source: 'api', switchId: switchIdOf(res), now: now(), decimals: config.moneyDecimals });
    const count = (status: CdrOutcome['status']) => outcomes.filter((o) => o.status === status).length;
    res.status(outcomeStatus(outcomes)).json({
      stored: count('stored'), duplicates: count('duplicate'), rejected: count('rejected'), results: outcomes.map(cdrJson),
    });
  });

  router.use(jsonErrors(context));
  return router;
}
