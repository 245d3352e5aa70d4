// What happened in didhub that someone outside may need to hear of: a mail to the account, a
// webhook to its endpoints. Services record an event in the transaction of the change; the
// subscribers (services/event-subscribers.ts) turn it into outbox messages in that same transaction.

/** Events a webhook endpoint may subscribe to (the API's public list). */
export const WEBHOOK_EVENT_TYPES = [
  'number.purchased',
  'number.released',
  'number.suspended',
  'number.reactivated',
  'subscription.renewed',
  'balance.low',
  'call.completed',
  'hold.expired',
] as const;

/**
 * Events that only ever become mail. Card payments (payment.received, refill.failed) stay off the
 * webhook list: the API's public contract has no payment resource for them to point to.
 */
export const MAIL_ONLY_EVENT_TYPES = [
  'renewal.notice',
  'number.expiring',
  'payment.received',
  'refill.failed',
  'password.reset',
  'account.welcome',
  'invoice.issued',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type EventType = WebhookEventType | (typeof MAIL_ONLY_EVENT_TYPES)[number];

export interface DomainEvent {
  type: EventType;
  /** The account the event concerns (the owner of the number, the payer, the user). */
  accountId: number;
  occurredAt: Date;
  /** JSON-safe facts of the event: strings for money (plain decimals), E.164 for numbers, ISO dates. */
  data: Record<string, unknown>;
}

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
