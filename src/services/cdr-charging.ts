// Storing and charging CDRs. Each call is stored once (its uuid is unique: a replay changes
// nothing), rated for every account in the chain at the terms that apply to it (call-terms.ts),
// charged to each ledger, and its concurrency slot freed: all in one statement per batch.
//
// The app reads the numbers' holdings and rates every level first; charge_cdr_batch (its
// migration) then applies the rule of postLedgerEntry (lock the accounts, write each ledger row
// with the balance after it, set the balance) to the whole batch inside Postgres, so
// balance = sum(ledger amounts) holds at every commit and the accounts' locks are held only for
// the database's own work: thousands of CDRs a second fit.
// A call charge may take a balance below the account's available funds: the call has already
// happened. The maximum duration given at routing keeps that overshoot to about one call.
import type { Db } from '../db/knex.ts';
import { findHoldingsByNumbers, type CallHoldingRow } from '../db/repos/call-holdings.ts';
import { insertRejectedCdrs } from '../db/repos/rejected-cdrs.ts';
import { chargeCdrBatch, type CdrCallRow, type CdrChargeRow } from '../db/ledger-writer.ts';
import { normalizeDialledNumber } from '../domain/call-routing.ts';
import type { CdrParseResult, CdrRecord } from '../domain/freeswitch.ts';
import { toPlain, toStored, toStoredChecked } from '../domain/money.ts';
import { RatingInputError, describeBreakdown, rateCall, type RatingBreakdown } from '../domain/rating.ts';
import { ValidationError } from '../errors.ts';
import { compiledTermsOf } from './call-authorization.ts';
import { callChain, type CallLevel, type TermsSnapshot } from './call-terms.ts';
import { chargeWithCallEvents } from './call-events.ts';

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

// Numbers per holdings read and rejected CDRs per insert.
const CHUNK = 1000;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function rateLevels(chain: CallLevel[], cdr: CdrRecord, decimals: number): RatedLevel[] {
  return chain.map((level) => {
    const rated = rateCall(compiledTermsOf(level.terms), cdr.billsec, decimals);
    toStoredChecked(rated.cost, `The call's cost for account ${level.accountId}`);
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
export async function recordCdrs(db: Db, incoming: IncomingCdr[], options: RecordCdrsOptions): Promise<CdrOutcome[]> {
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

  const numbers = [...new Set(candidates.map((c) => c.number).filter((n): n is string => n !== undefined))];
  const holdings = new Map<string, CallHoldingRow>();
  for (const part of chunks(numbers)) for (const row of await findHoldingsByNumbers(db, part)) holdings.set(row.number, row);

  const pending: PendingCall[] = [];
  for (const { index, cdr, number } of candidates) {
    const holding = number ? holdings.get(number) : undefined;
    let chain: CallLevel[];
    let levels: RatedLevel[];
    try {
      chain = holding ? callChain(holding, cdr.answeredAt ?? cdr.startedAt) : [];
      levels = rateLevels(chain, cdr, options.decimals);
    } catch (error) {
      // Terms or a cost beyond what can be stored: this call is kept as rejected, the batch goes on.
      if (!(error instanceof ValidationError || error instanceof RatingInputError)) throw error;
      rejections.push({ index, uuid: cdr.uuid, reason: `the call cannot be rated: ${error.message}` });
      continue;
    }
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
    pending.push({ index, cdr, holding, levels });
  }

  // Everything is rated and laid out before the statement that charges: it holds the accounts'
  // locks only for its own time in Postgres (see src/db/sql/charge_cdr_batch.sql). Every CDR ends
  // its call: its slot goes and the credit it reserved is released in the same statement.
  const ended = candidates.map((c) => c.cdr.uuid);
  const charged = pending.map(({ cdr, holding, levels }) => ({
    cdr, number: holding?.number ?? cdr.number, ownerId: levels[0]?.level.accountId, cost: levels[0]?.cost, billedSeconds: levels[0]?.billedSeconds,
  }));
  const stored = await chargeWithCallEvents(db, charged, options.now, (handle) => chargeCdrBatch(handle, callRows(pending, options), chargeRows(pending), ended, options.now));
  for (const call of pending) {
    const callId = stored.get(call.cdr.uuid);
    outcomes[call.index] = callId === undefined
      ? { status: 'duplicate', uuid: call.cdr.uuid }
      : { status: 'stored', uuid: call.cdr.uuid, callId, cost: call.levels[0]?.cost ?? toPlain(0, options.decimals) };
  }

  if (rejections.length > 0) {
    const rows = rejections.map((r) => ({
      switch_id: options.switchId, source: options.source, uuid: r.uuid, reason: storableText(r.reason),
      payload: storablePayload(payloadText(incoming[r.index]!.payload)), received_at: options.now,
    }));
    for (const part of chunks(rows)) await insertRejectedCdrs(db, part);
    for (const r of rejections) outcomes[r.index] = { status: 'rejected', uuid: r.uuid, reason: r.reason };
  }
  return outcomes;
}

function payloadText(payload: IncomingCdr['payload']): string {
  return typeof payload === 'string' ? payload : payload();
}

/** Past this a rejected body is kept cut short: enough to see what the switch sent. */
const MAX_PAYLOAD_CHARS = 1_000_000;

/** Postgres text cannot hold U+0000: it is kept as the six characters \u0000 instead. */
function storableText(text: string): string {
  return text.replaceAll('\u0000', '\\u0000');
}

function storablePayload(text: string): string {
  if (text.length <= MAX_PAYLOAD_CHARS) return storableText(text);
  return `${storableText(text.slice(0, MAX_PAYLOAD_CHARS))}… (cut short: ${text.length.toLocaleString('en-US')} characters in all)`;
}

function callRows(calls: PendingCall[], options: RecordCdrsOptions): CdrCallRow[] {
  return calls.map(({ cdr, holding, levels }) => ({
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
  }));
}

/** Each level's charge, in the order its ledger rows are written; a charge of 0 moves no money. */
function chargeRows(calls: PendingCall[]): CdrChargeRow[] {
  return calls.flatMap(({ cdr, holding, levels }) =>
    levels.map((rated) => ({
      call_uuid: cdr.uuid,
      account_id: rated.level.accountId,
      level: rated.level.level,
      role: rated.level.role,
      terms: JSON.stringify(rated.level.terms satisfies TermsSnapshot),
      cost: toStored(rated.cost),
      billed_seconds: rated.billedSeconds,
      breakdown: JSON.stringify({ ...rated.breakdown, description: rated.description }),
      description: `Call to ${holding!.number} from ${cdr.caller || 'unknown'}, ${cdr.billsec} s${rated.level.level === 0 ? '' : ' (reseller cost)'}`,
    })),
  );
}
