// The invoice pages' filters and forms (generate, credit note).
import { z } from 'zod';
import { emptyToUndefined, pageNumber } from '../../forms/fields.ts';
import { amountText } from '../../forms/number-fields.ts';

const period = z.string().trim().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Enter a month like 2027-01');
const choose = { message: 'Choose from the list' };

export const invoicesQuerySchema = z.object({
  period: z.preprocess(emptyToUndefined, period.optional()),
  account: z.preprocess(emptyToUndefined, z.coerce.number({ message: 'Choose an account from the list' }).int().min(1, 'Choose an account from the list').max(1e15).optional()),
  status: z.preprocess(emptyToUndefined, z.enum(['open', 'paid', 'credited'], choose).optional()),
  kind: z.preprocess(emptyToUndefined, z.enum(['invoice', 'credit_note'], choose).optional()),
  side: z.preprocess(emptyToUndefined, z.enum(['issued', 'received'], choose).optional()),
  page: pageNumber,
});

export const generateSchema = z.object({
  account_id: z.coerce.number({ message: 'Choose an account' }).int().min(1, 'Choose an account').max(1e15),
  period,
});

export const creditNoteSchema = z.object({
  amount: amountText('Enter the amount to credit, before tax, like 2.50'),
  reason: z.string().trim().min(1, 'Say why the invoice is corrected').max(300, 'Use at most 300 characters'),
});

/** The review page's post: the reviewed amount and reason, its key (one note per review), and the button pressed. */
export const creditNoteConfirmSchema = creditNoteSchema.extend({
  key: z.string().uuid('Open the credit note form again'),
  action: z.enum(['confirm', 'change'], choose).default('confirm'),
});
