// Who hears of events, in order: each turns the events it cares for into outbox messages.
// A module that sends something (mail, webhooks) adds its subscriber here.
import { loadConfig, type Config } from '../config.ts';
import type { EventSubscriber } from './events.ts';
import { createMailSubscriber } from './mail-subscriber.ts';
import { webhookSubscriber } from './webhooks.ts';

// Services record events without the settings in hand; the process's settings are read once, on
// the first event.
let settings: Readonly<Config> | undefined;
const processSettings = () => (settings ??= loadConfig());

export const EVENT_SUBSCRIBERS: readonly EventSubscriber[] = [createMailSubscriber(processSettings), webhookSubscriber];
