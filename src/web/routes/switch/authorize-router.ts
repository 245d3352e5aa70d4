// The plain JSON API's call authorization (/api/v1/calls/authorize), for switches such as
// Kamailio: the same decision as a FreeSWITCH route request, as JSON.
import { Router } from 'express';
import { ValidationError } from '../../../errors.ts';
import { authorizeCall, type CallDecision } from '../../../services/call-authorization.ts';
import { refuseNulBytes } from '../../middleware/nul-bytes.ts';
import type { AppContext } from '../../context.ts';
import { switchIdOf } from './body.ts';

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

export function authorizeRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();

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
  return router;
}
