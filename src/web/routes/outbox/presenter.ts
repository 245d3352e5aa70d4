// Outbox rows as the pages show them: a mail's sender, subject and bodies, a webhook's payload,
// and the delivery log.
import type { OutboxAttemptRow, OutboxMessageRow } from '../../../db/outbox.ts';
import type { OutboxListRow } from '../../../db/queries/outbox.ts';
import { isMailEventType, MAIL_EVENTS } from '../../../domain/mail-events.ts';

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export function eventLabel(event: string): string {
  return isMailEventType(event) ? MAIL_EVENTS[event].label : event;
}

function fromOf(payload: Record<string, unknown>): string {
  const from = payload.from as { name?: unknown; address?: unknown } | undefined;
  if (!from) return '';
  return `${text(from.name)} <${text(from.address)}>`.trim();
}

export function presentOutboxRow(row: OutboxListRow) {
  return {
    id: row.id,
    channel: row.channel,
    event: row.event,
    eventLabel: eventLabel(row.event),
    recipient: row.recipient,
    accountId: row.account_id,
    accountName: row.account_name,
    subject: row.channel === 'mail' ? text(row.payload.subject) : '',
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at,
    lastError: row.last_error,
  };
}

export function presentOutboxMessage(message: OutboxMessageRow, attempts: OutboxAttemptRow[]) {
  const mail = message.channel === 'mail';
  return {
    id: message.id,
    channel: message.channel,
    event: message.event,
    eventLabel: eventLabel(message.event),
    recipient: message.recipient,
    accountId: message.account_id,
    status: message.status,
    attempts: message.attempts,
    createdAt: message.created_at,
    nextAttemptAt: message.status === 'pending' ? message.next_attempt_at : null,
    deliveredAt: message.delivered_at,
    failedAt: message.failed_at,
    lastError: message.last_error,
    canRetry: message.status === 'failed',
    mail: mail ? { from: fromOf(message.payload), subject: text(message.payload.subject), html: text(message.payload.html), text: text(message.payload.text) } : null,
    payloadJson: mail ? '' : JSON.stringify(message.payload, null, 2),
    log: attempts.map((attempt) => ({
      at: attempt.attempted_at,
      ok: attempt.ok,
      code: attempt.response_code,
      detail: attempt.detail ?? '',
      durationMs: attempt.duration_ms,
    })),
  };
}
