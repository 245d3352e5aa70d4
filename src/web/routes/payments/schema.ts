// The Payments pages' forms and filters.
import { z } from 'zod';
import { DATES_IN_ORDER, datesInOrder, emptyToUndefined, optionalDate, pageNumber, trimmedOrUndefined } from '../../forms/fields.ts';

const amount = (label: string) =>
  z.string({ message: `Enter ${label}` }).trim().regex(/^\d{1,12}(\.\d{1,6})?$/, `Enter ${label} such as 20 or 20.50`);

export const addFundsSchema = z.object({ amount: amount('an amount') });

export const refillSchema = z.object({
  enabled: z.preprocess((v) => v === 'on' || v === 'true', z.boolean()),
  threshold: amount('a threshold'),
  amount: amount('an amount').refine((text) => /[1-9]/.test(text), 'The refill is a positive amount'),
});

export const settingsSchema = z.object({
  secret_key: z.preprocess(trimmedOrUndefined, z.string().max(300).optional()).transform((v) => v ?? ''),
  webhook_secret: z.preprocess(trimmedOrUndefined, z.string().max(300).optional()).transform((v) => v ?? ''),
  publishable_key: z.preprocess(trimmedOrUndefined, z.string().max(300).optional()).transform((v) => v ?? ''),
  clear: z.preprocess((v) => v === 'clear', z.boolean()),
});

export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'expired', 'refunded', 'partially_refunded'] as const;
export const PAYMENT_FLAGS = ['disputed', 'refunded'] as const;

export const paymentsQuerySchema = z
  .object({
    status: z.preprocess(emptyToUndefined, z.enum(PAYMENT_STATUSES, { message: 'Choose a status from the list' }).optional()),
    kind: z.preprocess(emptyToUndefined, z.enum(['topup', 'refill'], { message: 'Choose a kind from the list' }).optional()),
    flag: z.preprocess(emptyToUndefined, z.enum(PAYMENT_FLAGS, { message: 'Choose disputed or refunded' }).optional()),
    account: z.preprocess(trimmedOrUndefined, z.coerce.number({ message: 'An account id is a number' }).int().positive().optional()),
    from: optionalDate,
    to: optionalDate,
    page: pageNumber,
  })
  .refine(datesInOrder, DATES_IN_ORDER);

export type PaymentsQuery = z.infer<typeof paymentsQuerySchema>;

export const refundSchema = z.object({
  amount: amount('an amount'),
  idempotency_key: z.string().uuid('Open the form again'),
  action: z.enum(['confirm', 'change']).optional(),
});
