// The query strings and forms of the buy, My DIDs and My numbers pages.
import { z } from 'zod';
import { isMoneyText } from '../../domain/money.ts';
import { isMarkupPercent } from '../../domain/sell-terms.ts';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value);

export const pageNumber = z.preprocess(blankToUndefined, z.coerce.number({ message: 'Not a page number' }).int().min(1).max(1_000_000).default(1));

const digits = (message: string) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value.replace(/[\s().+-]/g, '') : value),
    z.preprocess(blankToUndefined, z.string().regex(/^\d{1,15}$/, message).optional()),
  );

const countryCode = z.preprocess(
  blankToUndefined,
  z.string().regex(/^[A-Za-z]{2}$/, 'Choose a country from the list').transform((code) => code.toUpperCase()).optional(),
);

export const amountText = (message = 'Enter an amount like 2.50') =>
  z.string().trim().refine((text) => isMoneyText(text) && !text.startsWith('-'), message);

export const offersQuerySchema = z.object({
  country: countryCode,
  province: z.preprocess(blankToUndefined, z.string().max(100, 'At most 100 characters').optional()),
  city: z.preprocess(blankToUndefined, z.string().max(100, 'At most 100 characters').optional()),
  contains: digits('Digits only, like 555'),
  prefix: digits('Digits only, like 4420'),
  max_monthly: z.preprocess(blankToUndefined, amountText('An amount like 2.50').optional()),
  page: pageNumber,
});

export const heldQuerySchema = z.object({
  contains: digits('Digits only, like 555'),
  country: countryCode,
  assignment: z.preprocess(blankToUndefined, z.enum(['assigned', 'unassigned'], { message: 'Choose from the list' }).optional()),
  page: pageNumber,
});

export const ownedQuerySchema = z.object({
  contains: digits('Digits only, like 555'),
  status: z.preprocess(blankToUndefined, z.enum(['active', 'suspended'], { message: 'Choose from the list' }).optional()),
  page: pageNumber,
});

export const purchaseFormSchema = z.object({
  purchase_key: z.string({ message: 'This form is incomplete: reload the page' }).regex(/^[A-Za-z0-9_-]{8,100}$/, 'This form is incomplete: reload the page'),
});

const seconds = (label: string) =>
  z.preprocess(blankToUndefined, z.coerce.number({ message: `${label} is a whole number of seconds` }).int(`${label} is a whole number of seconds`).min(0, `${label} cannot be negative`).max(86_400, `${label} is at most 86400 seconds`));

export const sellTermsSchema = z.object({
  setup_fee: amountText(),
  monthly_fee: amountText(),
  connection_cost: amountText(),
  grace_seconds: seconds('Grace time'),
  cost_per_minute: amountText('Enter a rate like 0.0125'),
  initial_increment: seconds('The initial increment'),
  increment: seconds('The increment'),
});

export const markupFormSchema = z.object({
  percent: z.string({ message: 'Enter a percentage like 20' }).trim().refine(isMarkupPercent, 'Enter a percentage like 20 or 12.5'),
  ids: z.preprocess(
    (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.coerce.number().int().positive()).min(1, 'Select at least one number'),
  ),
});

export const forwardingFormSchema = z.object({
  destination_type: z.enum(['sip_uri', 'pstn', 'extension'], { message: 'Choose SIP URI, PSTN number or extension' }),
  destination: z.string({ message: 'Enter a destination' }).trim().min(1, 'Enter a destination').max(255, 'At most 255 characters'),
});

/** A numeric id from the path; anything else is a page that does not exist. */
export function pathId(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}
