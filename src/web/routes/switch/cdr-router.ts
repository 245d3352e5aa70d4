// CDRs from the switches: FreeSWITCH's mod_json_cdr (/switch/freeswitch/cdr) one at a time, and
// the plain JSON API (/api/v1/cdrs) in batches. Each record is charged, or kept as rejected.
import { Router, type Request } from 'express';
import { ValidationError } from '../../../errors.ts';
import { parseFreeswitchCdr, parsePlainCdr, type CdrParseResult } from '../../../domain/freeswitch.ts';
import { recordCdrs, type CdrOutcome, type IncomingCdr } from '../../../services/cdr-charging.ts';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../../middleware/json-depth.ts';
import type { AppContext } from '../../context.ts';
import { switchIdOf } from './body.ts';

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

export function freeswitchCdrRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
  router.post('/cdr', async (req, res) => {
    const incoming = freeswitchCdrOf(req);
    const [outcome] = await recordCdrs(db, [incoming], { source: 'freeswitch', switchId: switchIdOf(res), now: now(), decimals: config.moneyDecimals });
    res.status(outcomeStatus([outcome!])).json(cdrJson(outcome!));
  });
  return router;
}

export function apiCdrRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();
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
  return router;
}
