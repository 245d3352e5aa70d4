// The customer's "My numbers": the list's filters and where a number forwards its calls.
import { z } from 'zod';
import { pageNumber, trimmedOrUndefined } from '../../forms/fields.ts';
import { digits } from '../../forms/number-fields.ts';

export const ownedQuerySchema = z.object({
  contains: digits('Digits only, like 555'),
  status: z.preprocess(trimmedOrUndefined, z.enum(['active', 'suspended'], { message: 'Choose from the list' }).optional()),
  page: pageNumber,
});

export const forwardingFormSchema = z.object({
  destination_type: z.enum(['sip_uri', 'pstn', 'extension'], { message: 'Choose SIP URI, PSTN number or extension' }),
  destination: z.string({ message: 'Enter a destination' }).trim().min(1, 'Enter a destination').max(255, 'At most 255 characters'),
});
