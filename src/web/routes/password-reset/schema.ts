// The forms of "Forgot password?" and of the reset (or set-password) page.
import { z } from 'zod';
import { passwordSchema } from '../accounts/schema.ts';

export const forgotSchema = z.object({
  email: z
    .string({ message: 'Enter your email' })
    .trim()
    .min(1, 'Enter your email')
    .max(254, 'That email is too long')
    .regex(/^[^\s@]+@[^\s@]+$/, 'Enter an email address like name@example.com'),
});

export const resetSchema = z
  .object({ password: passwordSchema, confirm: z.string({ message: 'Type the password again' }) })
  .refine((form) => form.password === form.confirm, { path: ['confirm'], message: 'The two passwords differ' });
