// The switches' routes: FreeSWITCH (mod_xml_curl dialplan lookups, mod_json_cdr CDRs) under
// /switch/freeswitch, and the plain JSON API (/api/v1) for other switches such as Kamailio.
import express, { Router, type RequestHandler } from 'express';
import { requireSwitch } from '../../middleware/switch-auth.ts';
import type { AppContext } from '../../context.ts';
import { authorizeRouter } from './authorize-router.ts';
import { BODY_LIMIT, keepRawBody, keepUnreadableCdrs } from './body.ts';
import { apiCdrRouter, freeswitchCdrRouter } from './cdr-router.ts';
import { dialplanRouter } from './dialplan-router.ts';

const noSniff: RequestHandler = (_req, res, next) => {
  res.set('X-Content-Type-Options', 'nosniff');
  next();
};

export function freeswitchRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();
  router.use(noSniff);
  router.use(requireSwitch(db, now));
  router.use(express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  router.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'text/json'], verify: keepRawBody }));
  router.use(dialplanRouter(context), freeswitchCdrRouter(context));
  router.use(keepUnreadableCdrs(context));
  return router;
}

/** The switches' paths under /api/v1: only these take a switch token; the rest of /api/v1 is the account API (API keys). */
export const SWITCH_API_PATHS = ['/calls/authorize', '/cdrs'];

export function apiRouter(context: AppContext): Router {
  const { db, now } = context;
  const router = Router();
  router.use(SWITCH_API_PATHS, noSniff, requireSwitch(db, now), express.json({ limit: BODY_LIMIT, verify: keepRawBody }));
  router.use(authorizeRouter(context), apiCdrRouter(context));
  router.use(keepUnreadableCdrs(context));
  return router;
}
