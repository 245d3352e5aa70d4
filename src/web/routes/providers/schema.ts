// The admin's providers: the provider form and the list's query string.
import { z } from 'zod';

const optionalText = (max: number, message: string) =>
  z.string().trim().max(max, message).transform((value) => (value === '' ? null : value));

export const providerSchema = z.object({
  name: z.string().trim().min(1, 'Enter the provider’s name').max(120, 'Use at most 120 characters'),
  contact_name: optionalText(120, 'Use at most 120 characters').default(''),
  email: z
    .string()
    .trim()
    .max(200, 'Use at most 200 characters')
    .refine((value) => value === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value), 'Enter an email address like noc@carrier.example')
    .transform((value) => (value === '' ? null : value))
    .default(''),
  phone: optionalText(40, 'Use at most 40 characters').default(''),
  notes: optionalText(2000, 'Use at most 2000 characters').default(''),
});

export const listQuerySchema = z.object({
  q: z.string().trim().max(120).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
