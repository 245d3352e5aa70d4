// Field schemas of the pages that list and price numbers: digits of a number, a country, an
// amount, seconds.
import { z } from 'zod';
import { isMoneyText } from '../../domain/money.ts';
import { trimmedOrUndefined } from './fields.ts';

export const digits = (message: string) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value.replace(/[\s().+-]/g, '') : value),
    z.preprocess(trimmedOrUndefined, z.string().regex(/^\d{1,15}$/, message).optional()),
  );

export const countryCode = z.preprocess(
  trimmedOrUndefined,
  z.string().regex(/^[A-Za-z]{2}$/, 'Choose a country from the list').transform((code) => code.toUpperCase()).optional(),
);

export const amountText = (message = 'Enter an amount like 2.50') =>
  z.string().trim().refine((text) => isMoneyText(text) && !text.startsWith('-'), message);

export const seconds = (label: string) =>
  z.preprocess(trimmedOrUndefined, z.coerce.number({ message: `${label} is a whole number of seconds` }).int(`${label} is a whole number of seconds`).min(0, `${label} cannot be negative`).max(86_400, `${label} is at most 86400 seconds`));
