// "Buy DIDs": the number search's filters and sort, and the purchase forms (one number, or several).
import { z } from 'zod';
import { pageNumber, trimmedOrUndefined } from '../../forms/fields.ts';
import { amountText, countryCode, digits } from '../../forms/number-fields.ts';

export const OFFER_SORTS = ['number', 'monthly', '-monthly', 'setup', '-setup', 'country'] as const;
export type OfferSort = (typeof OFFER_SORTS)[number];

export const SORT_OPTIONS: ReadonlyArray<{ value: OfferSort; label: string }> = [
  { value: 'number', label: 'Number' },
  { value: 'monthly', label: 'Monthly Fee, lowest first' },
  { value: '-monthly', label: 'Monthly Fee, highest first' },
  { value: 'setup', label: 'Setup Fee, lowest first' },
  { value: '-setup', label: 'Setup Fee, highest first' },
  { value: 'country', label: 'Country' },
];

/** Digits with `*` standing for any one digit (as in Twilio's and Telnyx's number search): "555***1". */
const pattern = z.preprocess(
  (value) => (typeof value === 'string' ? value.replace(/[\s().+-]/g, '') : value),
  z.preprocess(trimmedOrUndefined, z.string().regex(/^[\d*]{1,15}$/, 'Digits and * only, like 555 or 55*1').refine((text) => /\d/.test(text), 'Give at least one digit, like 555').optional()),
);

const maxAmount = z.preprocess(trimmedOrUndefined, amountText('Enter an amount like 2.50').optional());

export const offersQuerySchema = z.object({
  country: countryCode,
  province: z.preprocess(trimmedOrUndefined, z.string().max(100, 'At most 100 characters').optional()),
  city: z.preprocess(trimmedOrUndefined, z.string().max(100, 'At most 100 characters').optional()),
  contains: pattern,
  prefix: digits('Digits only, like 4420'),
  max_monthly: maxAmount,
  max_setup: maxAmount,
  billing_type: z.preprocess(trimmedOrUndefined, z.enum(['one_time', 'recurring'], { message: 'Choose a billing type from the list' }).optional()),
  sort: z.preprocess(trimmedOrUndefined, z.enum(OFFER_SORTS, { message: 'Choose an order from the list' }).default('number')),
  page: pageNumber,
});

export type OffersQuery = z.infer<typeof offersQuerySchema>;

export const purchaseFormSchema = z.object({
  purchase_key: z.string({ message: 'This form is incomplete: reload the page' }).regex(/^[A-Za-z0-9_-]{8,100}$/, 'This form is incomplete: reload the page'),
});

const productIds = z.preprocess(
  (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
  z.array(z.string().regex(/^\d{1,15}$/, 'Tick the numbers to buy').transform(Number)).min(1, 'Tick at least one number').max(50, 'At most 50 numbers at once'),
);

/** The ticked numbers of the search, to confirm. */
export const selectionSchema = z.object({ ids: productIds });

/** The confirmation of several numbers: the same ids and one form key. */
export const multiPurchaseFormSchema = purchaseFormSchema.extend({ ids: productIds });
