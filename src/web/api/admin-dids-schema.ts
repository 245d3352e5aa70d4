// The admin inventory endpoints' schemas: a DID as the admin sees it, the list's filters (the
// admin DID list's, strict here: a bad filter is a 400, not ignored), and a DID's terms as JSON.
// The terms' rules (amount grammar, country of the number, billing days) are the admin form's:
// parseDidTerms in the domain checks them in createDid and updateDidTerms.
import { z } from 'zod';
import { e164, money, nullableTimestamp, timestamp } from './schemas.ts';

export const didSchema = z
  .object({
    object: z.literal('did'),
    id: z.number().int(),
    number: e164,
    provider_id: z.number().int().nullable(),
    country: z.string().nullable(),
    province: z.string().nullable(),
    city: z.string().nullable(),
    status: z.enum(['active', 'inactive']),
    holder: z.enum(['stock', 'reseller', 'customer']),
    reseller_id: z.number().int().nullable(),
    customer_id: z.number().int().nullable(),
    archived_at: nullableTimestamp,
    buy_cost: money,
    setup_fee: money,
    monthly_fee: money,
    connection_cost: money,
    grace_seconds: z.number().int(),
    cost_per_minute: money,
    initial_increment: z.number().int(),
    increment: z.number().int(),
    call_timeout: z.number().int(),
    billing_type: z.enum(['one_time', 'recurring']),
    billing_days: z.number().int(),
    billing_period: z.enum(['days', 'month', 'year']),
    concurrent_calls: z.number().int(),
    created_at: timestamp,
  })
  .openapi('Did');

export const didListQuery = z.object({
  limit: z.coerce.number({ message: 'From 1 to 100' }).int('From 1 to 100').min(1, 'From 1 to 100').max(100, 'From 1 to 100').default(20),
  starting_after: e164.optional().openapi({ description: 'The last number of the page before' }),
  q: z.string().trim().max(32).regex(/^[\d+]+$/, 'Digits (and +) the number contains').optional(),
  country: z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'A two-letter country code').optional(),
  province: z.string().trim().max(100).optional(),
  city: z.string().trim().max(100).optional(),
  provider: z.coerce.number({ message: 'A provider id' }).int('A provider id').positive('A provider id').max(Number.MAX_SAFE_INTEGER).optional(),
  status: z.enum(['active', 'inactive'], { message: 'active or inactive' }).optional(),
  holder: z.enum(['stock', 'reseller', 'customer'], { message: 'stock, reseller or customer' }).optional(),
  billing_type: z.enum(['one_time', 'recurring'], { message: 'one_time or recurring' }).optional(),
  archived: z.enum(['hide', 'include', 'only'], { message: 'hide, include or only' }).default('hide'),
});

const amount = z.string({ message: 'An amount as a string, like "0.0100"' }).openapi({ example: '0.0100' });
const whole = z.number({ message: 'A whole number' }).int('A whole number');

/** Every term of a DID but its number (PATCH sends any of them). */
const terms = {
  provider_id: z.number({ message: 'A provider id' }).int('A provider id').positive('A provider id'),
  country: z.string().max(100).optional().openapi({ description: 'Taken from the number when left out' }),
  province: z.string().max(100).optional(),
  city: z.string().max(100).optional(),
  status: z.enum(['active', 'inactive'], { message: 'active or inactive' }),
  buy_cost: amount,
  setup_fee: amount,
  monthly_fee: amount,
  connection_cost: amount,
  grace_seconds: whole,
  cost_per_minute: amount,
  initial_increment: whole,
  increment: whole,
  call_timeout: whole,
  billing_type: z.enum(['one_time', 'recurring'], { message: 'one_time or recurring' }),
  billing_days: whole,
  billing_period: z.enum(['days', 'month', 'year'], { message: 'days, month or year' }).optional(),
  concurrent_calls: whole,
};

export const didCreateBody = z.object({ number: z.string({ message: 'The number, like +14155550100' }).max(40), ...terms }).openapi('DidCreate');
export const didPatchBody = z
  .object(terms)
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: 'Send at least one term', path: ['status'] })
  .openapi('DidPatch');
