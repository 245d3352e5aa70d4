// Field schemas the routes' schemas share: what an empty field means, dates, page numbers.
import { z } from 'zod';

/** An empty field ("") is a field not filled in; anything else, spaces included, is kept. */
export const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

/** A field of only spaces is not filled in either; a filled one is kept as typed. */
export const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** Like blankToUndefined, and a filled field comes trimmed. */
export const trimmedOrUndefined = (value: unknown) => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

/** A filter whose value makes no sense is ignored rather than an error page. */
export const lenientFilter = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional()).catch(undefined);

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-11-29')
  .refine((text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text), 'This is not a date');

export const optionalDate = z.preprocess(emptyToUndefined, isoDate.optional());

export const pageNumber = z.preprocess(trimmedOrUndefined, z.coerce.number({ message: 'Not a page number' }).int().min(1).max(1_000_000).default(1));

/** A from/to pair of a list's filters: the end is not before the start. */
export function datesInOrder(query: { from?: string | undefined; to?: string | undefined }): boolean {
  return !query.from || !query.to || query.from <= query.to;
}
export const DATES_IN_ORDER = { path: ['to'], message: 'The end date is before the start date' };
