// One error hierarchy: each kind carries its HTTP status, and one middleware renders them all.

export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = new.target.name;
    this.status = status;
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super(message, 404);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have access to this page') {
    super(message, 403);
  }
}

/** A request without valid credentials (a switch's token). */
export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(message, 401);
  }
}

/** Bad input: `fields` maps each form field to its one message. */
export class ValidationError extends AppError {
  readonly fields: FieldErrors;
  constructor(message: string, fields: FieldErrors = {}) {
    super(message, 400);
    this.fields = fields;
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, 409);
  }
}

/** A well-formed request that cannot be done as sent (an Idempotency-Key reused with another body, another account's id); `fields` names the culprits. */
export class UnprocessableError extends AppError {
  readonly fields: FieldErrors;
  constructor(message: string, fields: FieldErrors = {}) {
    super(message, 422);
    this.fields = fields;
  }
}

export class InsufficientFundsError extends AppError {
  constructor(message: string) {
    super(message, 402);
  }
}

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

/**
 * Postgres' own errors, translated in this one place: a unique violation is a conflict, a
 * foreign key violation means a referenced row is missing or still in use. The data exceptions
 * (a number beyond its column, a date beyond Postgres' range, a NUL byte in text) are the last
 * resort for bad input that got past validation: a 400, never a 500.
 */
export function translateDbError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const { code, constraint } = error as PgError;
  if (code === '23505') return new ConflictError(`That already exists (${constraint ?? 'unique constraint'})`);
  if (code === '23503') return new ConflictError(`That is still in use or refers to something missing (${constraint ?? 'foreign key'})`);
  if (code === '23514') return new ValidationError(`A value is out of range (${constraint ?? 'check constraint'})`);
  if (code === '22003') return new ValidationError('A number is too large to be stored (amounts have at most 14 digits before the point)');
  if (code === '22008') return new ValidationError('A date or time is out of range');
  if (code === '22021') return new ValidationError('The text holds a character that cannot be stored (a NUL byte)');
  return error;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = error as PgError | null;
  return pg?.code === '23505' && (constraint === undefined || pg.constraint === constraint);
}
