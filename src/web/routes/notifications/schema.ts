// The Notifications page's two forms: the notices and threshold, and a new billing contact.
import { z } from 'zod';
import type { Config } from '../../../config.ts';
import { MoneyFormatError, parseMoney } from '../../../domain/money.ts';

/** Checkboxes: none ticked sends nothing, one sends a string, several an array. */
const ticked = z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(z.string().max(64)).max(20));

export function preferencesSchema(config: Config) {
  return z.object({
    notices: ticked,
    low_balance_threshold: z
      .string()
      .trim()
      .max(24, 'Use at most 24 characters')
      .default('')
      .superRefine((text, ctx) => {
        if (text === '') return;
        try {
          const value = parseMoney(text);
          if (value.isNegative()) ctx.addIssue({ code: 'custom', message: 'Enter an amount of 0 or more, or leave it empty for no warning' });
          else if ((text.split('.')[1]?.length ?? 0) > config.moneyDecimals) ctx.addIssue({ code: 'custom', message: `Use at most ${config.moneyDecimals} decimals` });
          else if (value.greaterThan('1000000000')) ctx.addIssue({ code: 'custom', message: 'Enter at most 1000000000' });
        } catch (error) {
          if (!(error instanceof MoneyFormatError)) throw error;
          ctx.addIssue({ code: 'custom', message: 'Use digits with an optional decimal point, like 10.50' });
        }
      })
      .transform((text) => (text === '' ? null : text)),
  });
}

export const contactSchema = z.object({
  contact_email: z
    .string({ message: 'Enter an email address' })
    .trim()
    .min(1, 'Enter an email address')
    .max(254, 'Use at most 254 characters')
    .regex(/^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/, 'Enter one email address like billing@example.com'),
});
