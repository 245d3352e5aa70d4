// The forms and query strings of the managed accounts pages (the admin's Accounts, a reseller's
// Customers). A role decides some fields: the schemas that depend on it take the area's role.
import { z } from 'zod';
import type { Config } from '../../../config.ts';
import type { Role } from '../../../db/repos/accounts.ts';
import { MoneyFormatError, isMoneyText, parseMoney } from '../../../domain/money.ts';
import { MANUAL_KINDS, amountRuleBroken } from '../../../services/manual-postings.ts';
import { emptyToUndefined, pageNumber } from '../../forms/fields.ts';

export const MIN_PASSWORD_LENGTH = 10;

/** A new password, wherever one is set: the accounts forms, the own password form, create-admin. */
export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200, 'Use at most 200 characters');

export const STATUSES = ['active', 'suspended', 'closed'] as const;
const BILLING_MODES = ['prepaid', 'postpaid'] as const;

function decimalsOf(text: string): number {
  return text.split('.')[1]?.length ?? 0;
}

/** A typed amount: plain digits, at most the configured decimals; the schema's value stays a string. */
function amountText(decimals: number, options: { negative: boolean }) {
  return z.string({ message: 'Enter an amount' }).trim().superRefine((text, ctx) => {
    if (text === '') return void ctx.addIssue({ code: 'custom', message: 'Enter an amount' });
    try {
      const value = parseMoney(text);
      if (!options.negative && value.isNegative()) ctx.addIssue({ code: 'custom', message: 'Enter an amount of 0 or more' });
      else if (decimalsOf(text) > decimals) ctx.addIssue({ code: 'custom', message: `Use at most ${decimals} decimals` });
    } catch (error) {
      if (!(error instanceof MoneyFormatError)) throw error;
      ctx.addIssue({ code: 'custom', message: 'Use digits with an optional decimal point, like 12.50: no thousands separators' });
    }
  });
}

const idText = z.string().trim().regex(/^\d{1,15}$/, 'Choose from the list').transform(Number);

function settingsFields(config: Config) {
  return {
    name: z.string({ message: 'Enter a name' }).trim().min(1, 'Enter a name').max(200, 'Use at most 200 characters'),
    email: z
      .string({ message: 'Enter an email address' })
      .trim()
      .min(1, 'Enter an email address')
      .max(254, 'Use at most 254 characters')
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter an email address like name@example.com'),
    billing_mode: z.enum(BILLING_MODES, { message: 'Choose prepaid or postpaid' }),
    credit_limit: z.preprocess((v) => (v === undefined ? '0' : v), amountText(config.moneyDecimals, { negative: false })),
    max_concurrent_calls: z
      .string({ message: 'Enter a whole number, 0 for unlimited' })
      .trim()
      .regex(/^\d{1,6}$/, 'Enter a whole number, 0 for unlimited')
      .transform(Number),
    status: z.enum(STATUSES, { message: 'Choose a status' }),
  };
}

export function createSchema(config: Config, role: Role) {
  return z
    .object({
      ...settingsFields(config),
      // "link" (the form's default) mails a set-password link; "typed" sets the password typed here.
      // A post without the choice (a script) is "typed" when it carries a password.
      password_mode: z.preprocess(emptyToUndefined, z.enum(PASSWORD_MODES, { message: 'Choose how the password is set' }).optional()),
      password: z.preprocess(emptyToUndefined, passwordSchema.optional()),
      role: role === 'admin' ? z.enum(['reseller', 'customer'], { message: 'Choose reseller or customer' }) : z.unknown().optional().transform(() => 'customer' as const),
      parent_id: z.preprocess(emptyToUndefined, idText.optional()),
    })
    .refine((form) => form.role !== 'customer' || role === 'reseller' || form.parent_id !== undefined, {
      path: ['parent_id'],
      message: 'Choose who sells to this customer',
    })
    .refine((form) => passwordModeOf(form) === 'link' || form.password !== undefined, {
      path: ['password'],
      message: `Type a password of at least ${MIN_PASSWORD_LENGTH} characters, or choose to send a set-password link`,
    })
    .transform((form) => ({ ...form, password: passwordModeOf(form) === 'typed' ? form.password : undefined }));
}

export const PASSWORD_MODES = ['link', 'typed'] as const;

function passwordModeOf(form: { password_mode?: (typeof PASSWORD_MODES)[number] | undefined; password?: string | undefined }) {
  return form.password_mode ?? (form.password !== undefined ? 'typed' : 'link');
}

export function editSchema(config: Config) {
  return z.object({ ...settingsFields(config), password: z.preprocess(emptyToUndefined, passwordSchema.optional()) });
}

export function moneySchema(config: Config) {
  return z
    .object({
      kind: z.enum(MANUAL_KINDS, { message: 'Choose payment, refill or adjustment' }),
      amount: amountText(config.moneyDecimals, { negative: true }),
      note: z.string().trim().max(200, 'Use at most 200 characters').default(''),
      corrects_entry_id: z.preprocess(emptyToUndefined, z.string().trim().regex(/^\d{1,15}$/, 'Enter an entry number from the Transactions page').transform(Number).optional()),
      idempotency_key: z.uuid({ message: 'This form has expired: open it again' }),
      /** "change" on the confirmation goes back to the form instead of recording. */
      action: z.string().optional().catch(undefined),
    })
    .superRefine((form, ctx) => {
      if (form.kind === 'adjustment' && form.note === '') ctx.addIssue({ code: 'custom', path: ['note'], message: 'Say why the adjustment is made' });
      // zod runs this refinement even when the amount failed its own checks: only judge a real amount.
      const broken = isMoneyText(form.amount) ? amountRuleBroken(form.kind, form.amount) : undefined;
      if (broken) ctx.addIssue({ code: 'custom', path: ['amount'], message: broken });
    });
}

export type MoneyForm = z.infer<ReturnType<typeof moneySchema>>;

/** The money form's first values, from the links that open it (a correction of an entry, say). */
export const moneyQuerySchema = z.object({
  kind: z.enum(MANUAL_KINDS).optional().catch(undefined),
  corrects: z.string().regex(/^\d{1,15}$/).optional().catch(undefined),
});

export const listQuerySchema = z.object({
  role: z.preprocess(emptyToUndefined, z.enum(['reseller', 'customer'], { message: 'Choose reseller or customer' }).optional()),
  status: z.preprocess(emptyToUndefined, z.enum(STATUSES, { message: 'Choose a status' }).optional()),
  parent: z.preprocess(emptyToUndefined, idText.optional()),
  q: z.preprocess(emptyToUndefined, z.string().trim().max(100, 'Use at most 100 characters').optional()),
  page: pageNumber,
});

export type ListQuery = z.infer<typeof listQuerySchema>;

/** The new account form's first values: the parent of a "New customer" link from an account's page. */
export const newQuerySchema = z.object({ parent: z.string().optional().catch(undefined) });
