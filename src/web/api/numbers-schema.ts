// The account API's number schemas: a number as this account holds it, and the changes a PATCH may send.
import { z } from 'zod';
import { e164, money, moneyInput, nullableTimestamp } from './schemas.ts';

export const termsSchema = z
  .object({
    setup_fee: money, monthly_fee: money, connection_cost: money, grace_seconds: z.number().int(),
    cost_per_minute: money, initial_increment: z.number().int(), increment: z.number().int(),
  })
  .openapi('PriceTerms');

export const numberSchema = z
  .object({
    object: z.literal('number'),
    number: e164,
    country: z.string().nullable(),
    region: z.string().nullable(),
    city: z.string().nullable(),
    status: z.enum(['active', 'suspended']).nullable(),
    billing_type: z.enum(['one_time', 'recurring']),
    billing_days: z.number().int(),
    next_billing_at: nullableTimestamp,
    forwarding: z.object({ type: z.enum(['sip_uri', 'pstn', 'extension']), destination: z.string() }).nullable().optional(),
    terms: termsSchema.optional().openapi({ description: 'What this account pays (a customer)' }),
    buy_terms: termsSchema.optional().openapi({ description: 'What this reseller pays' }),
    sell_terms: termsSchema.nullable().optional().openapi({ description: "What this reseller's customers pay (null: not for sale to them)" }),
    customer_id: z.number().int().nullable().optional(),
  })
  .openapi('Number');

const seconds = z.number({ message: 'Whole seconds' }).int('Whole seconds').min(0, 'Whole seconds').max(86_400, 'At most 86400');
export const patchBody = z
  .object({
    forwarding: z.object({ type: z.enum(['sip_uri', 'pstn', 'extension'], { message: 'sip_uri, pstn or extension' }), destination: z.string().max(255) }).optional(),
    sell_terms: z
      .object({
        setup_fee: moneyInput, monthly_fee: moneyInput, connection_cost: moneyInput, grace_seconds: seconds,
        cost_per_minute: moneyInput, initial_increment: seconds, increment: seconds,
      })
      .optional(),
    customer_id: z
      .number({ message: 'The id of one of your customers, or null' })
      .int('The id of one of your customers, or null')
      .positive('The id of one of your customers, or null')
      .nullable()
      .optional()
      .openapi({ description: 'A reseller: give the number to one of its customers, or null to take it back from the customer who owns it' }),
    charge: z
      .boolean({ message: 'true or false' })
      .optional()
      .openapi({ description: 'With customer_id: charge the customer the setup fee and first period at the sell terms (default true); false gives it free, renewals still charge' }),
  })
  .refine((body) => body.forwarding !== undefined || body.sell_terms !== undefined || body.customer_id !== undefined, {
    message: 'Send forwarding, sell_terms or customer_id',
    path: ['forwarding'],
  });
