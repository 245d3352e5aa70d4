// The template form (subject, HTML and text bodies; preview or save) and the sender-name form.
import { z } from 'zod';

export const templateSchema = z.object({
  subject: z.string().trim().min(1, 'Enter a subject').max(300, 'Use at most 300 characters'),
  html: z.string().min(1, 'Enter the HTML body').max(100_000, 'Use at most 100,000 characters'),
  text: z.string().min(1, 'Enter the text body').max(100_000, 'Use at most 100,000 characters'),
  action: z.enum(['preview', 'save']).default('save'),
});

export const senderSchema = z.object({
  sender_name: z.string().trim().min(1, 'Enter the name your customers see').max(100, 'Use at most 100 characters'),
});
