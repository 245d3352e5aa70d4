// Endpoints and their deliveries as the Webhooks pages show them: no raw rows in templates.
import type { OutboxAttemptRow, OutboxMessageRow } from '../../../db/outbox.ts';
import type { WebhookEndpointRow } from '../../../db/repos/webhook-endpoints.ts';
import { WEBHOOK_EVENT_TYPES } from '../../../domain/events.ts';

/** What each event type means, for the form's checkboxes. */
const EVENT_HELP: Record<(typeof WEBHOOK_EVENT_TYPES)[number], string> = {
  'number.purchased': 'You bought a number (or one was assigned to you).',
  'number.released': 'A number left your account: released, reclaimed, unpaid or expired.',
  'number.suspended': 'A renewal was not covered: calls to the number are refused.',
  'number.reactivated': 'A suspended number was paid and works again.',
  'subscription.renewed': 'A number’s period was renewed and charged.',
  'balance.low': 'Your available funds fell below the warning threshold.',
  'call.completed': 'A call to one of your numbers ended and was charged.',
  'hold.expired': 'Numbers you held were not bought in time and were freed.',
};

export const eventChoices = WEBHOOK_EVENT_TYPES.map((type) => ({ value: type, help: EVENT_HELP[type] }));

export interface EndpointView {
  id: number;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  consecutiveFailures: number;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
  href: string;
}

export function presentEndpoint(base: string, row: WebhookEndpointRow): EndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    consecutiveFailures: row.consecutive_failures,
    failingSince: row.failing_since,
    lastSuccessAt: row.last_success_at,
    createdAt: row.created_at,
    href: `${base}/${row.id}`,
  };
}

export interface DeliveryView {
  id: number;
  event: string;
  webhookId: string;
  status: string;
  attempts: number;
  createdAt: Date;
  nextAttemptAt: Date | null;
  lastError: string | null;
  body: string;
  tries: Array<{ at: Date; ok: boolean; responseCode: number | null; detail: string | null; durationMs: number }>;
}

export function presentDelivery(message: OutboxMessageRow, attempts: OutboxAttemptRow[]): DeliveryView {
  const { webhook_id: webhookId, ...body } = message.payload;
  return {
    id: message.id,
    event: message.event,
    webhookId: typeof webhookId === 'string' ? webhookId : `msg_${message.id}`,
    status: message.status,
    attempts: message.attempts,
    createdAt: message.created_at,
    nextAttemptAt: message.status === 'pending' ? message.next_attempt_at : null,
    lastError: message.last_error,
    body: JSON.stringify(body, null, 2),
    tries: attempts.map((each) => ({ at: each.attempted_at, ok: each.ok, responseCode: each.response_code, detail: each.detail, durationMs: each.duration_ms })),
  };
}
