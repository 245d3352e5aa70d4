// Who hears of events, in order: each turns the events it cares for into outbox messages.
// A module that sends something (mail, webhooks) adds its subscriber here.
import type { EventSubscriber } from './events.ts';
import { webhookSubscriber } from './webhooks.ts';

export const EVENT_SUBSCRIBERS: readonly EventSubscriber[] = [
  webhookSubscriber,
];
