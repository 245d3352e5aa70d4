// zod at the edge: a form either parses into typed data or gives one message per field.
import type { z } from 'zod';
import type { FieldErrors } from '../../errors.ts';

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export function parseForm<S extends z.ZodType>(schema: S, input: unknown): FormResult<z.infer<S>> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '_form';
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The submitted values as strings, to put back into a form that failed. */
export function formValues(body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return values;
  for (const [key, value] of Object.entries(body)) {
    if (key === '_csrf' || key.toLowerCase().includes('password')) continue;
    if (typeof value === 'string') values[key] = value;
  }
  return values;
}
