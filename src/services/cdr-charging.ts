// Storing and charging CDRs. Each call is stored once (its uuid is unique: a replay changes
// nothing), rated for every account in the chain at the terms that apply to it (call-terms.ts),
// charged to each ledger, and its concurrency slot freed: all in one transaction per batch.
//
// Charges are written in batches: the same rule as postLedgerEntry (lock the accounts, write
// each ledger row with the balance after it, set the balance) applied to many rows at once, so
// balance = sum(ledger amounts) holds at every commit and thousands of CDRs a second fit.
// A call charge may take a balance below the account's available funds: the call has already
// happened. The maximum duration given at routing keeps that overshoot to about one call.
import type { Decimal } from 'decimal.js';
import type { Knex } from 'knex';
import { findHoldingsByNumbers, type CallHoldingRow } from '../db/repos/call-holdings.ts';
import { insertUnnest, type ColumnType } from '../db/repos/bulk-insert.ts';
import { deleteCallSlots, deleteExpiredSlotsOf, lockAccountRows } from '../db/repos/call-slots.ts';
import { normalizeDialledNumber } from '../domain/call-routing.ts';
import type { CdrParseResult, CdrRecord } from '../domain/freeswitch.ts';
import { Money, toPlain, toStored } from '../domain/money.ts';
import { describeBreakdown, rateCall, type RatingBreakdown } from '../domain/rating.ts';
import { compiledTermsOf } from './call-authorization.ts';
import { callChain, type CallLevel, type TermsSnapshot } from './call-terms.ts';

export type CdrSource = 'freeswitch' | 'api';

export interface IncomingCdr {
  parsed: CdrParseResult;
  /** The record as received, kept when it is rejected (a function: only rejected ones are serialised). */
  payload: string | (() => string);
}

export type CdrOutcome =
  | { status: 'stored'; uuid: string; callId: number; cost: string }
  | { status: 'duplicate'; uuid: string }
  | { status: 'rejected'; uuid: string | null; reason: string };

interface RatedLevel {
  level: CallLevel;
  cost: string;
  billedSeconds: number;
  breakdown: RatingBreakdown;
  description: string;
}

interface PendingCall {
  index: number;
  cdr: CdrRecord;
  holding: CallHoldingRow | undefined;
  levels: RatedLevel[];
}

// Rows per statement: large enough to amortise a round trip, small enough to keep memory flat.
const CHUNK = 1000;

const CALL_COLUMNS: Record<string, ColumnType> = {
  uuid: 'text', switch_id: 'bigint', source: 'text', product_id: 'bigint', number: 'text', caller: 'text', owner_id: 'bigint',
  reseller_id: 'bigint', started_at: 'timestamptz', answered_at: 'timestamptz', ended_at: 'timestamptz', duration_seconds: 'int',
  billsec: 'int', hangup_cause: 'text', cost: 'numeric', billed_seconds: 'int', received_at: 'timestamptz',
};
const CHARGE_COLUMNS: Record<string, ColumnType> = {
  call_id: 'bigint', account_id: 'bigint', level: 'smallint', role: 'text', terms: 'jsonb', cost: 'numeric', billed_seconds: 'int',
  breakdown: 'jsonb', ledger_entry_id: 'bigint',
};
const LEDGER_COLUMNS: Record<string, ColumnType> = {
  account_id: 'bigint', amount: 'numeric', balance_after: 'numeric', kind: 'text', description: 'text', reference_type: 'text',
  reference_id: 'bigint', idempotency_key: 'text', created_at: 'timestamptz',
};

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function rateLevels(chain: CallLevel[], cdr: CdrRecord, decimals: number): RatedLevel[] {
  return chain.map((level) => {
    const rated = rateCall(compiledTermsOf(level.terms), cdr.billsec, decimals);
    return { level, cost: rated.cost, billedSeconds: rated.billedSeconds, breakdown: rated.breakdown, description: describeBreakdown(rated) };
  });
}

export interface RecordCdrsOptions {
  source: CdrSource;
  switchId: number | null;
  now: Date;
  decimals: number;
}

/** Stores, rates and charges a batch of CDRs; one outcome per input, in order. */
export async function recordCdrs(db: Knex, incoming: IncomingCdr[], options: RecordCdrsOptions): Promise<CdrOutcome[]> {
  const outcomes: CdrOutcome[] = new Array(incoming.length);
  const rejections: Array<{ index: number; uuid: string | null; reason: string }> = [];
  const candidates: Array<{ index: number; cdr: CdrRecord; number: string | undefined }> = [];
  const seen = new Set<string>();
  incoming.forEach((item, index) => {
    if (!item.parsed.ok) {
      rejections.push({ index, uuid: item.parsed.uuid ?? null, reason: item.parsed.reason });
      return;
    }
    const cdr = item.parsed.cdr;
    if (seen.has(cdr.uuid)) {
      outcomes[index] = { status: 'duplicate', uuid: cdr.uuid };
      return;
    }
    seen.add(cdr.uuid);
    candidates.push({ index, cdr, number: normalizeDialledNumber(cdr.number) });
  });

  await db.transaction(async (trx) => {
    const numbers = [...new Set(candidates.map((c) => c.number).filter((n): n is string => n !== undefined))];
    const holdings = new Map<string, CallHoldingRow>();
    for (const part of chunks(numbers)) for (const row of await findHoldingsByNumbers(trx, part)) holdings.set(row.number, row);

    const pending: PendingCall[] = [];
    for (const { index, cdr, number } of candidates) {
      const holding = number ? holdings.get(number) : undefined;
      const chain = holding ? callChain(holding, cdr.answeredAt ?? cdr.startedAt) : [];
      // An unanswered call costs nothing, so one to a number nobody holds (the dialplan refused
      // it) is still a record worth keeping. An answered one cannot be charged to anybody.
      if (cdr.billsec > 0 && !holding) {
        rejections.push({ index, uuid: cdr.uuid, reason: `${cdr.number} is not a number of this platform, but the call lasted ${cdr.billsec} s` });
        continue;
      }
      if (cdr.billsec > 0 && chain.length === 0) {
        rejections.push({ index, uuid: cdr.uuid, reason: `${holding!.number} is not assigned to any account, but the call lasted ${cdr.billsec} s` });
        continue;
      }
      pending.push({ index, cdr, holding, levels: rateLevels(chain, cdr, options.decimals) });
    }

    // Lock every account to be charged first, in id order (as routing does), before the call rows
    // whose foreign keys share-lock them: so concurrent batches queue instead of deadlocking.
    const accountIds = [...new Set(pending.flatMap((call) => call.levels.filter((r) => !new Money(r.cost).isZero()).map((r) => r.level.accountId)))];
    const balances = new Map<number, Decimal>();
    for (const part of chunks(accountIds.sort((a, b) => a - b))) {
      for (const [id, balance] of await lockAccountRows(trx, part)) balances.set(id, new Money(balance));
    }

    // Insert the calls; a uuid already stored (a replay, or another request that won the race)
    // comes back without an id and is a duplicate.
    const ids = new Map<string, number>();
    for (const part of chunks(pending)) {
      const rows = part.map(({ cdr, holding, levels }) => ({
        uuid: cdr.uuid,
        switch_id: options.switchId,
        source: options.source,
        product_id: holding?.product_id ?? null,
        number: holding?.number ?? cdr.number.slice(0, 64),
        caller: cdr.caller,
        owner_id: levels[0]?.level.accountId ?? null,
        reseller_id: levels[1]?.level.accountId ?? null,
        started_at: cdr.startedAt,
        answered_at: cdr.answeredAt,
        ended_at: cdr.endedAt,
        duration_seconds: cdr.durationSeconds,
        billsec: cdr.billsec,
        hangup_cause: cdr.hangupCause,
        cost: toStored(levels[0]?.cost ?? '0'),
        billed_seconds: levels[0]?.billedSeconds ?? 0,
        received_at: options.now,
      }));
      const inserted = await insertUnnest(trx, 'calls', CALL_COLUMNS, rows, 'ON CONFLICT (uuid) DO NOTHING RETURNING id, uuid');
      for (const row of inserted) ids.set(row.uuid as string, Number(row.id));
    }
    const stored = pending.filter((call) => ids.has(call.cdr.uuid));
    for (const call of pending) {
      if (!ids.has(call.cdr.uuid)) outcomes[call.index] = { status: 'duplicate', uuid: call.cdr.uuid };
    }

    const entryIds = await chargeLedgers(trx, stored, ids, balances, options.now);
    const charges = stored.flatMap((call) =>
      call.levels.map((rated) => ({
        call_id: ids.get(call.cdr.uuid)!,
        account_id: rated.level.accountId,
        level: rated.level.level,
        role: rated.level.role,
        terms: JSON.stringify(rated.level.terms satisfies TermsSnapshot),
        cost: toStored(rated.cost),
        billed_seconds: rated.billedSeconds,
        breakdown: JSON.stringify({ ...rated.breakdown, description: rated.description }),
        ledger_entry_id: entryIds.get(ledgerKey(call.cdr.uuid, rated.level.accountId)) ?? null,
      })),
    );
    for (const part of chunks(charges)) await insertUnnest(trx, 'call_charges', CHARGE_COLUMNS, part);

    // Every CDR that reached us ends its call, stored now or before: free its slot.
    for (const part of chunks(candidates.map((c) => c.cdr.uuid))) await deleteCallSlots(trx, part);
    const productIds = [...new Set(pending.flatMap((call) => (call.holding ? [call.holding.product_id] : [])))];
    for (const part of chunks(productIds)) await deleteExpiredSlotsOf(trx, part, options.now);

    for (const call of stored) {
      outcomes[call.index] = { status: 'stored', uuid: call.cdr.uuid, callId: ids.get(call.cdr.uuid)!, cost: call.levels[0]?.cost ?? toPlain(0, options.decimals) };
    }
  });

  if (rejections.length > 0) {
    const rows = rejections.map((r) => ({
      switch_id: options.switchId, source: options.source, uuid: r.uuid, reason: r.reason,
      payload: payloadText(incoming[r.index]!.payload), received_at: options.now,
    }));
    for (const part of chunks(rows)) await db('rejected_cdrs').insert(part);
    for (const r of rejections) outcomes[r.index] = { status: 'rejected', uuid: r.uuid, reason: r.reason };
  }
  return outcomes;
}

function payloadText(payload: IncomingCdr['payload']): string {
  return typeof payload === 'string' ? payload : payload();
}

function ledgerKey(uuid: string, accountId: number): string {
  return `call:${uuid}:${accountId}`;
}

/**
 * Charges every non-zero level of the stored calls to the accounts locked above: one ledger row
 * per charge with its running balance_after, one balance update per account. Returns the ledger
 * entry id of each charge by its idempotency key.
 */
async function chargeLedgers(
  trx: Knex.Transaction,
  calls: PendingCall[],
  ids: Map<string, number>,
  balances: Map<number, Decimal>,
  now: Date,
): Promise<Map<string, number>> {
  const postings = calls.flatMap((call) =>
    call.levels
      .filter((rated) => !new Money(rated.cost).isZero())
      .map((rated) => ({ call, rated, accountId: rated.level.accountId })),
  );
  const entryIds = new Map<string, number>();
  if (postings.length === 0) return entryIds;
  const entries = postings.map(({ call, rated, accountId }) => {
    const amount = new Money(rated.cost).negated();
    const after = balances.get(accountId)!.plus(amount);
    balances.set(accountId, after);
    const who = rated.level.level === 0 ? '' : ' (reseller cost)';
    return {
      account_id: accountId,
      amount: toStored(amount),
      balance_after: toStored(after),
      kind: 'call_charge',
      description: `Call to ${call.holding!.number} from ${call.cdr.caller || 'unknown'}, ${call.cdr.billsec} s${who}`,
      reference_type: 'call',
      reference_id: ids.get(call.cdr.uuid)!,
      idempotency_key: ledgerKey(call.cdr.uuid, accountId),
      created_at: now,
    };
  });
  for (const part of chunks(entries)) {
    const rows = await insertUnnest(trx, 'ledger_entries', LEDGER_COLUMNS, part, 'RETURNING id, idempotency_key');
    for (const row of rows) entryIds.set(row.idempotency_key as string, Number(row.id));
  }
  const charged = [...new Set(postings.map((p) => p.accountId))];
  for (const part of chunks(charged)) {
    const values = part.map(() => '(?::bigint, ?::numeric)').join(', ');
    const bindings = part.flatMap((id) => [id, toStored(balances.get(id)!)]);
    await trx.raw(
      `UPDATE accounts SET balance = v.balance, updated_at = ? FROM (VALUES ${values}) AS v(id, balance) WHERE accounts.id = v.id`,
      [now, ...bindings],
    );
  }
  return entryIds;
}
