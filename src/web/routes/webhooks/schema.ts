// The Webhooks pages' forms: an endpoint (URL, events, description), the actions on one, the delivery log's query.
import { z } from 'zod';
import { isWebhookEventType } from '../../../domain/events.ts';
import { pageNumber, trimmedOrUndefined } from '../../forms/fields.ts';

/** Checkboxes: absent when none is ticked, a string for one, an array for several. */
export function checkedValues(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((each): each is string => typeof each === 'string');
}

export const endpointSchema = z.object({
  url: z.string({ message: 'Enter the URL that receives the events' }).trim().min(1, 'Enter the URL that receives the events').max(2000, 'Use at most 2,000 characters'),
  description: z.string().trim().max(500, 'Use at most 500 characters').default(''),
  events: z.preprocess(
    checkedValues,
    z.array(z.string()).min(1, 'Choose at least one event').refine((events) => events.every(isWebhookEventType), 'Choose events from the list'),
  ),
});

export const actionSchema = z.object({
  action: z.enum(['enable', 'disable', 'rotate-secret', 'test', 'delete']),
});

export const deliveriesQuerySchema = z.object({
  status: z.preprocess(trimmedOrUndefined, z.enum(['pending', 'delivered', 'failed'], { message: 'Choose from the list' }).optional()),
  page: pageNumber,
});
