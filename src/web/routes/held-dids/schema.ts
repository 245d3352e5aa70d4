// The reseller's "My DIDs": the list's filters, the markup over many numbers, one number's sell terms.
import { z } from 'zod';
import { isMarkupPercent } from '../../../domain/sell-terms.ts';
import { pageNumber, trimmedOrUndefined } from '../../forms/fields.ts';
import { amountText, countryCode, digits, seconds } from '../../forms/number-fields.ts';

export const heldQuerySchema = z.object({
  contains: digits('Digits only, like 555'),
  country: countryCode,
  assignment: z.preprocess(trimmedOrUndefined, z.enum(['assigned', 'unassigned'], { message: 'Choose from the list' }).optional()),
  page: pageNumber,
});

export const markupFormSchema = z.object({
  percent: z.string({ message: 'Enter a percentage like 20' }).trim().refine(isMarkupPercent, 'Enter a percentage like 20 or 12.5'),
  ids: z.preprocess(
    (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.coerce.number().int().positive()).min(1, 'Select at least one number'),
  ),
  /** The list page (with its filters) to go back to. */
  return_to: z.string().optional().catch(undefined),
});

export const sellTermsSchema = z.object({
  setup_fee: amountText(),
  monthly_fee: amountText(),
  connection_cost: amountText(),
  grace_seconds: seconds('Grace time'),
  cost_per_minute: amountText('Enter a rate like 0.0125'),
  initial_increment: seconds('The initial increment'),
  increment: seconds('The increment'),
});
