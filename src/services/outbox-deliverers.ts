// The channels the outbox worker delivers, built from the settings: each sending module (mail,
// webhooks) adds its deliverer here.
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { mailDeliverer } from './mail-deliverer.ts';
import type { OutboxDeliverer } from './outbox-worker.ts';
import { webhookDeliverer } from './webhook-deliverer.ts';

export function outboxDeliverers(config: Readonly<Config>, _logger: Logger): OutboxDeliverer[] {
  return [mailDeliverer(config), webhookDeliverer({ disableAfterHours: config.webhookDisableAfterHours, allowPrivateTargets: config.webhookAllowHttp })];
}
