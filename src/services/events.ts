// Recording what happened: a service calls recordEvents inside the transaction of its change, and
// each subscriber (mail, webhooks) writes its outbox messages in that same transaction. So a
// rolled-back change sends nothing and a committed one loses nothing.
import type { Db } from '../db/knex.ts';
import { inTransaction, type Transaction } from '../db/transaction.ts';
import type { DomainEvent } from '../domain/events.ts';
import { EVENT_SUBSCRIBERS } from './event-subscribers.ts';

/** Turns events into outbox messages; gets every event, keeps those it cares for. */
export type EventSubscriber = (trx: Transaction, events: DomainEvent[]) => Promise<void>;

export async function recordEvents(db: Db, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await inTransaction(db, async (trx) => {
    for (const subscriber of EVENT_SUBSCRIBERS) await subscriber(trx, events);
  });
}

export async function recordEvent(db: Db, event: DomainEvent): Promise<void> {
  await recordEvents(db, [event]);
}
