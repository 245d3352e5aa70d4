// CDRs, in didhub's terms: the JSON mod_json_cdr posts at hangup (FreeSWITCH) and the plain JSON
// records of the API. Pure code, unit-tested with tables.
/** A CDR in didhub's terms, whichever format it came in. */
export interface CdrRecord {
  uuid: string;
  number: string;
  caller: string;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  durationSeconds: number;
  billsec: number;
  hangupCause: string | null;
}

export type CdrParseResult = { ok: true; cdr: CdrRecord } | { ok: false; reason: string; uuid?: string };

/** Far above any real call (about 31 years), and safe for rating (see domain/rating.ts). */
const MAX_CALL_SECONDS = 1_000_000_000;
/** 9999-12-31T23:59:59Z: later times are no call, and beyond what Postgres and JSON dates read alike. */
const MAX_EPOCH_SECONDS = 253_402_300_799;

// mod_json_cdr percent-encodes each value unless encode-values is false: decode when it looks
// encoded. A "+" stays a plus (E.164 numbers), as FreeSWITCH encodes a space as %20.
function decodeValue(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function wholeSeconds(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,12}$/.test(text.trim())) return undefined;
  const value = Number(text.trim());
  return value <= MAX_CALL_SECONDS ? value : undefined;
}

/** Epoch seconds; 0 is FreeSWITCH's "never" (not answered). */
function epochSeconds(seconds: number): Date | null | undefined {
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_EPOCH_SECONDS) return undefined;
  return seconds === 0 ? null : new Date(seconds * 1000);
}

function epochDate(text: string | undefined): Date | null | undefined {
  if (text === undefined || !/^\d{1,12}$/.test(text.trim())) return undefined;
  return epochSeconds(Number(text.trim()));
}

const UUID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finish(fields: {
  uuid: string | undefined;
  number: string | undefined;
  caller: string | undefined;
  startedAt: Date | null | undefined;
  answeredAt: Date | null | undefined;
  endedAt: Date | null | undefined;
  duration: number | undefined;
  billsec: number | undefined;
  hangupCause: string | undefined;
  names: { uuid: string; number: string; start: string; billsec: string; caller: string; hangupCause: string };
}): CdrParseResult {
  const { names } = fields;
  const uuid = fields.uuid?.trim();
  if (!uuid) return { ok: false, reason: `${names.uuid} is missing` };
  if (!UUID_PATTERN.test(uuid)) return { ok: false, reason: `${names.uuid} ${JSON.stringify(uuid.slice(0, 40))} is not a call id` };
  const fail = (reason: string): CdrParseResult => ({ ok: false, reason, uuid });
  // Postgres text cannot hold U+0000: such a record is kept as rejected, its NUL escaped.
  for (const [name, value] of [[names.number, fields.number], [names.caller, fields.caller], [names.hangupCause, fields.hangupCause]] as const) {
    if (value?.includes('\u0000')) return fail(`${name} holds a NUL byte`);
  }
  const number = fields.number?.trim();
  if (!number) return fail(`${names.number} is missing`);
  if (fields.startedAt === undefined || fields.startedAt === null) return fail(`${names.start} is missing or not a time`);
  if (fields.billsec === undefined) return fail(`${names.billsec} is missing or not a whole number of seconds`);
  if (fields.answeredAt === undefined) return fail('the answer time is not a time');
  if (fields.endedAt === undefined) return fail('the end time is not a time');
  if (fields.billsec > 0 && fields.answeredAt === null) return fail(`${names.billsec} is ${fields.billsec} but the call was never answered`);
  const { startedAt, answeredAt, endedAt } = fields;
  if (answeredAt && answeredAt < startedAt) return fail('the call was answered before it started');
  if (endedAt && endedAt < startedAt) return fail('the call ended before it started');
  const duration = fields.duration ?? (endedAt ? Math.round((endedAt.getTime() - startedAt.getTime()) / 1000) : fields.billsec);
  if (duration > MAX_CALL_SECONDS) return fail(`the call lasted ${duration} s, longer than any call (at most ${MAX_CALL_SECONDS} s)`);
  if (fields.billsec > duration) return fail(`${names.billsec} (${fields.billsec}) is longer than the whole call (${duration} s)`);
  return {
    ok: true,
    cdr: {
      uuid,
      number,
      caller: (fields.caller ?? '').trim().slice(0, 200),
      startedAt,
      answeredAt,
      endedAt,
      durationSeconds: duration,
      billsec: fields.billsec,
      hangupCause: fields.hangupCause?.trim().slice(0, 100) || null,
    },
  };
}

/**
 * One mod_json_cdr document: `variables` holds the channel variables (uuid, billsec, duration,
 * start_epoch, answer_epoch, end_epoch, destination_number, caller_id_number, hangup_cause);
 * `callflow[].caller_profile` has the numbers when the variables do not.
 */
export function parseFreeswitchCdr(document: unknown): CdrParseResult {
  if (!isObject(document)) return { ok: false, reason: 'the CDR is not a JSON object' };
  const variables = document.variables;
  if (!isObject(variables)) return { ok: false, reason: 'the CDR has no "variables" object' };
  const v = (name: string) => decodeValue(variables[name]);
  const callflow = Array.isArray(document.callflow) ? document.callflow : isObject(document.callflow) ? [document.callflow] : [];
  const profile = callflow.map((step) => (isObject(step) && isObject(step.caller_profile) ? step.caller_profile : undefined)).find(Boolean);
  const p = (name: string) => (profile ? decodeValue(profile[name]) : undefined);
  return finish({
    uuid: v('uuid') ?? v('call_uuid'),
    number: v('destination_number') || p('destination_number'),
    caller: v('caller_id_number') || p('caller_id_number') || v('sip_from_user'),
    startedAt: epochDate(v('start_epoch')),
    answeredAt: v('answer_epoch') === undefined ? null : epochDate(v('answer_epoch')),
    endedAt: v('end_epoch') === undefined ? null : epochDate(v('end_epoch')),
    duration: wholeSeconds(v('duration')),
    billsec: wholeSeconds(v('billsec')),
    hangupCause: v('hangup_cause'),
    names: {
      uuid: 'variables.uuid', number: 'variables.destination_number', start: 'variables.start_epoch', billsec: 'variables.billsec',
      caller: 'variables.caller_id_number', hangupCause: 'variables.hangup_cause',
    },
  });
}

function timeValue(value: unknown): Date | null | undefined {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') return epochSeconds(value);
  if (typeof value !== 'string') return undefined;
  if (/^\d{1,12}$/.test(value)) return epochDate(value);
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) return undefined;
  const date = new Date(value.replace(' ', 'T'));
  // Before 1970 (year 0000 included, which Postgres cannot store) is no call either.
  return Number.isNaN(date.getTime()) || date.getTime() < 0 || date.getTime() > MAX_EPOCH_SECONDS * 1000 ? undefined : date;
}

function secondsValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= MAX_CALL_SECONDS ? value : undefined;
  return typeof value === 'string' ? wholeSeconds(value) : undefined;
}

function textValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * One record of the plain JSON API: { uuid, destination, caller, started_at, answered_at,
 * ended_at, billsec, duration, hangup_cause }. Times are ISO 8601 with a zone, or epoch seconds.
 */
export function parsePlainCdr(record: unknown): CdrParseResult {
  if (!isObject(record)) return { ok: false, reason: 'the record is not a JSON object' };
  const startedAt = timeValue(record.started_at);
  return finish({
    uuid: textValue(record.uuid),
    number: textValue(record.destination),
    caller: textValue(record.caller),
    startedAt: startedAt === null ? undefined : startedAt,
    answeredAt: timeValue(record.answered_at),
    endedAt: timeValue(record.ended_at),
    duration: record.duration === undefined ? undefined : secondsValue(record.duration),
    billsec: secondsValue(record.billsec),
    hangupCause: textValue(record.hangup_cause),
    names: { uuid: 'uuid', number: 'destination', start: 'started_at', billsec: 'billsec', caller: 'caller', hangupCause: 'hangup_cause' },
  });
}
