// "Buy DIDs": the shelf's filters and the purchase form.
import { z } from 'zod';
import { pageNumber, trimmedOrUndefined } from '../../forms/fields.ts';
import { amountText, countryCode, digits } from '../../forms/number-fields.ts';

export const offersQuerySchema = z.object({
  country: countryCode,
  province: z.preprocess(trimmedOrUndefined, z.string().max(100, 'At most 100 characters').optional()),
  city: z.preprocess(trimmedOrUndefined, z.string().max(100, 'At most 100 characters').optional()),
  contains: digits('Digits only, like 555'),
  prefix: digits('Digits only, like 4420'),
  max_monthly: z.preprocess(trimmedOrUndefined, amountText('An amount like 2.50').optional()),
  page: pageNumber,
});

export const purchaseFormSchema = z.object({
  purchase_key: z.string({ message: 'This form is incomplete: reload the page' }).regex(/^[A-Za-z0-9_-]{8,100}$/, 'This form is incomplete: reload the page'),
});
