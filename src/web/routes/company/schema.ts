// The company profile, tax rate and account billing forms.
import { z } from 'zod';

const text = (max: number) => z.string().trim().max(max, `Use at most ${max} characters`).default('');
const checkbox = z.preprocess((value) => value === 'on' || value === 'true' || value === '1', z.boolean());

export const profileSchema = z.object({
  legal_name: z.string().trim().min(1, 'Enter the legal name').max(200, 'Use at most 200 characters'),
  address: text(500),
  tax_id: text(60),
  email: z.string().trim().max(200, 'Use at most 200 characters')
    .refine((value) => value === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value), 'Enter an email address like billing@company.example').default(''),
  invoice_prefix: z.string().trim().max(20, 'Use at most 20 characters').regex(/^[A-Za-z0-9/_-]*$/, 'Use letters, digits, - / and _ only').default('INV-'),
  payment_terms_days: z.preprocess((value) => (value === '' || value === undefined ? '14' : value),
    z.coerce.number({ message: 'Enter a whole number of days' }).int('Enter a whole number of days').min(0, 'At least 0 days').max(365, 'At most 365 days')),
  footer: text(500),
});

export const taxRateSchema = z.object({
  name: z.string().trim().min(1, 'Name the tax, like VAT 20 %').max(80, 'Use at most 80 characters'),
  rate: z.string().trim().regex(/^\d{1,3}(\.\d{1,4})?$/, 'Enter a percentage like 20 or 8.875')
    .refine((value) => Number(value) <= 100, 'At most 100 %'),
  position: z.preprocess((value) => (value === '' || value === undefined ? '1' : value),
    z.coerce.number({ message: 'Enter a whole number' }).int('Enter a whole number').min(0, 'At least 0').max(1000, 'At most 1000')),
  compound: checkbox,
  active: checkbox,
});

export const accountBillingSchema = z.object({
  taxes: z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.coerce.number({ message: 'Choose taxes from the list' }).int().min(1).max(1e15)).max(20)),
  exempt_reason: z.string().trim().max(200, 'Use at most 200 characters').default('').transform((value) => (value === '' ? null : value)),
  billing_day: z.preprocess((value) => (value === '' || value === undefined ? '1' : value),
    z.coerce.number({ message: 'Enter a day of the month' }).int('Enter a day of the month').min(1, 'A day from 1 to 28').max(28, 'A day from 1 to 28')),
});
