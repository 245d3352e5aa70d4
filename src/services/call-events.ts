// call.completed: one event per charged call, for the call's number's owner (the account that
// pays its calls at level 0), and only for owners with an endpoint that wants it. A reseller is
// not told of its customers' calls (an endpoint hears of its own account only, see webhooks.ts).
// The CDR path pays one indexed read per batch for this; a batch with subscribers charges and
// writes its events in one transaction, so a charged call is never without its event.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/transaction.ts';
import { accountsSubscribedTo } from '../db/repos/webhook-endpoints.ts';
import type { CdrRecord } from '../domain/freeswitch.ts';
import type { DomainEvent } from '../domain/events.ts';
import { recordEvents } from './events.ts';

export interface ChargedCall {
  cdr: CdrRecord;
  number: string;
  ownerId: number | undefined;
  cost: string | undefined;
  billedSeconds: number | undefined;
}

function callCompleted(call: ChargedCall, callId: number, ownerId: number, now: Date): DomainEvent {
  const { cdr } = call;
  return {
    type: 'call.completed',
    accountId: ownerId,
    occurredAt: now,
    data: {
      call_id: callId,
      uuid: cdr.uuid,
      number: call.number,
      caller: cdr.caller,
      started_at: cdr.startedAt.toISOString(),
      answered_at: cdr.answeredAt?.toISOString() ?? null,
      ended_at: cdr.endedAt?.toISOString() ?? null,
      duration_seconds: cdr.durationSeconds,
      billsec: cdr.billsec,
      billed_seconds: call.billedSeconds ?? 0,
      hangup_cause: cdr.hangupCause,
      cost: call.cost ?? '0',
    },
  };
}

/**
 * Runs `charge` (the batch's one charging statement, answering the stored calls' ids by uuid) and
 * records call.completed for the stored calls of subscribed owners. Replayed CDRs store nothing
 * and so tell nothing.
 */
export async function chargeWithCallEvents(
  db: Db,
  calls: ChargedCall[],
  now: Date,
  charge: (db: Db) => Promise<Map<string, number>>,
): Promise<Map<string, number>> {
  const owners = [...new Set(calls.map((call) => call.ownerId).filter((id): id is number => id !== undefined))];
  const subscribed = await accountsSubscribedTo(db, owners, 'call.completed');
  if (subscribed.size === 0) return charge(db);
  return inTransaction(db, async (trx) => {
    const stored = await charge(trx);
    const events: DomainEvent[] = [];
    for (const call of calls) {
      const callId = stored.get(call.cdr.uuid);
      if (callId !== undefined && call.ownerId !== undefined && subscribed.has(call.ownerId)) events.push(callCompleted(call, callId, call.ownerId, now));
    }
    await recordEvents(trx, events);
    return stored;
  });
}
