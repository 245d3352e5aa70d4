// The admin's Switches page: registering a switch, and the actions on one.
import { z } from 'zod';

export const switchSchema = z.object({
  name: z.string().trim().min(1, 'Give the switch a name').max(100, 'Use at most 100 characters'),
  allowed_addresses: z.string().max(5000, 'Too many addresses').default(''),
});

export const actionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('disable') }),
  z.object({ action: z.literal('enable') }),
  z.object({ action: z.literal('rotate') }),
  z.object({ action: z.literal('addresses'), allowed_addresses: z.string().max(5000).default('') }),
]);
