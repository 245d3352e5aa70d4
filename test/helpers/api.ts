// Requests to the account API (/api/v1) the way a key holder sends them.
import type { Express } from 'express';
import request from 'supertest';

/** POST /api/v1/number-orders with the key and an Idempotency-Key. */
export function postNumberOrder(app: Express, key: string, body: unknown, idempotencyKey: string) {
  return request(app).post('/api/v1/number-orders').set('Authorization', `Bearer ${key}`).set('Idempotency-Key', idempotencyKey).send(body as object);
}
