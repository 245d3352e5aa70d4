// The billing runs list's filters and a run's events filter.
import { z } from 'zod';
import { emptyToUndefined, pageNumber } from '../../forms/fields.ts';

export const runsQuerySchema = z.object({
  trigger: z.preprocess(emptyToUndefined, z.enum(['schedule', 'command', 'payment'], { message: 'Choose from the list' }).optional()),
  status: z.preprocess(emptyToUndefined, z.enum(['running', 'finished', 'failed'], { message: 'Choose from the list' }).optional()),
  activity: z.preprocess(emptyToUndefined, z.enum(['all', 'active'], { message: 'Choose from the list' }).optional()),
  page: pageNumber,
});

export const eventsQuerySchema = z.object({
  kind: z.preprocess(emptyToUndefined, z.enum(['renewed', 'suspended', 'reactivated', 'released', 'expired'], { message: 'Choose from the list' }).optional()),
  page: pageNumber,
});
