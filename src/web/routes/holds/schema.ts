// "My holds": the Hold action on Buy DIDs.
import { z } from 'zod';

export const holdFormSchema = z.object({
  number: z.string({ message: 'Choose a number' }).trim().regex(/^\+[1-9]\d{1,14}$/, 'Choose a number from the list'),
});
