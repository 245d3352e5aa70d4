// The account REST API under /api/v1 (the switches' routes share the prefix, mounted before this
// with their own token auth). One router per resource, each a list of routes declared once
// (registry.ts); a new resource adds one line to RESOURCES. Order: the public OpenAPI document,
// then the key, the rate limit, the resources, and problem details for every error.
import express, { Router } from 'express';
import { NotFoundError } from '../../errors.ts';
import type { AppContext } from '../context.ts';
import { refuseDeepJson } from '../middleware/json-depth.ts';
import { rateLimit, requireApiKey } from './auth.ts';
import { adminDidsRoutes } from './admin-dids.ts';
import { availableNumbersRoutes } from './available-numbers.ts';
import { billingRoutes } from './billing.ts';
import { callsRoutes } from './calls.ts';
import { customersRoutes } from './customers.ts';
import { numberHoldsRoutes } from './number-holds.ts';
import { numberOrdersRoutes } from './number-orders.ts';
import { numbersRoutes } from './numbers.ts';
import { webhookEndpointsRoutes } from './webhook-endpoints.ts';
import { newApiRegistry, openApiDocument } from './openapi.ts';
import { problemHandler } from './problem.ts';
import { resourceRouter, type ApiRoute } from './registry.ts';

/** Each resource's routes; webhook endpoints and others join here. */
export const RESOURCES: Array<(context: AppContext) => ApiRoute[]> = [
  availableNumbersRoutes,
  numberHoldsRoutes,
  numberOrdersRoutes,
  numbersRoutes,
  callsRoutes,
  billingRoutes,
  customersRoutes,
  webhookEndpointsRoutes,
  adminDidsRoutes,
];

export function accountApiRouter(context: AppContext): Router {
  const { db, config, logger, now } = context;
  const registry = newApiRegistry();
  const resources = RESOURCES.map((routesOf) => resourceRouter(routesOf(context), registry));
  const document = openApiDocument(registry);

  const router = Router();
  router.use((_req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
    next();
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use(requireApiKey(db, now, logger));
  router.use(rateLimit(db, now, { rate: config.apiRateLimit, burst: config.apiRateBurst }));
  router.use(express.json({ limit: '1mb', verify: refuseDeepJson }));
  router.use(...resources);
  router.use((req) => {
    throw new NotFoundError(`There is no API route ${req.method} ${req.baseUrl}${req.path}`);
  });
  router.use(problemHandler(logger));
  return router;
}
