// Schemas the account API's resources share: amounts, numbers, cursor pagination, problem details.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export const money = z.string().regex(/^-?\d+(\.\d+)?$/).openapi({ description: 'A plain decimal amount', example: '2.5000' });
export const moneyInput = z.string().trim().regex(/^\d{1,14}(\.\d{1,6})?$/, 'An amount like 2.50 (at most 6 decimals)');
export const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/, 'A number in E.164 form, like +14155550100').openapi({ example: '+14155550100' });
export const timestamp = z.string().openapi({ format: 'date-time' });
export const nullableTimestamp = timestamp.nullable();

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.record(z.string(), z.string()).optional(),
  })
  .openapi('Problem');

const limit = z.coerce.number({ message: 'A whole number from 1 to 100' }).int('A whole number from 1 to 100').min(1, 'A whole number from 1 to 100').max(100, 'A whole number from 1 to 100').default(20);

/** `limit` and `starting_after` (the id of the last object of the page before). */
export const pageQuery = z.object({
  limit,
  starting_after: z.coerce.number({ message: 'An id from the page before' }).int().positive('An id from the page before').optional(),
});

export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean() }).openapi(name);
}

/** A page of `limit + 1` rows as the list answer. */
export function listAnswer<T>(rows: T[], limitCount: number): { object: 'list'; data: T[]; has_more: boolean } {
  return { object: 'list', data: rows.slice(0, limitCount), has_more: rows.length > limitCount };
}

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);
