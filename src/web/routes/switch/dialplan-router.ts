// FreeSWITCH's route requests (mod_xml_curl, section dialplan): the call is authorized and
// answered with a bridge document, or refused. Mounted at /switch/freeswitch.
import { Router } from 'express';
import { buildNotFoundDocument, buildRefusalDocument, buildRouteDocument, parseDialplanRequest } from '../../../domain/freeswitch.ts';
import { authorizeCall } from '../../../services/call-authorization.ts';
import { refuseNulBytes } from '../../middleware/nul-bytes.ts';
import type { AppContext } from '../../context.ts';
import { switchIdOf } from './body.ts';

export function dialplanRouter(context: AppContext): Router {
  const { db, config, now } = context;
  const router = Router();

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
  return router;
}
