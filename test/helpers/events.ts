// The events services record, as a subscriber sees them: a test subscriber appended to the real
// subscriber list (services/event-subscribers.ts) for the enclosing file. It keeps what it is given
// after the mail and webhook subscribers ran in the same transaction, so the tests check the
// contract between a service and its subscribers (type, account, data), whatever mail they render.
import { afterAll, beforeAll } from 'vitest';
import type { DomainEvent, EventType } from '../../src/domain/events.ts';
import { EVENT_SUBSCRIBERS } from '../../src/services/event-subscribers.ts';
import type { EventSubscriber } from '../../src/services/events.ts';

export interface CapturedEvents {
  readonly all: DomainEvent[];
  of(type: EventType, accountId?: number): DomainEvent[];
  clear(): void;
}

export function captureEvents(): CapturedEvents {
  const all: DomainEvent[] = [];
  const subscriber: EventSubscriber = async (_trx, events) => {
    all.push(...events);
  };
  const list = EVENT_SUBSCRIBERS as EventSubscriber[];
  beforeAll(() => {
    list.push(subscriber);
  });
  afterAll(() => {
    list.splice(list.indexOf(subscriber), 1);
  });
  return {
    all,
    of: (type, accountId) => all.filter((event) => event.type === type && (accountId === undefined || event.accountId === accountId)),
    clear: () => {
      all.length = 0;
    },
  };
}
