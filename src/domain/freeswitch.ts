// FreeSWITCH's formats, in and out: the form mod_xml_curl posts for a dialplan lookup, the
// freeswitch/xml document it expects back, and the JSON CDR mod_json_cdr posts at hangup.
// Pure code, unit-tested with tables.
import type { Refusal } from './call-routing.ts';

// The CDRs mod_json_cdr posts are parsed in cdrs.ts; callers import them from here with the rest.
export { parseFreeswitchCdr, parsePlainCdr, type CdrParseResult, type CdrRecord } from './cdrs.ts';

/** The fields of a mod_xml_curl dialplan request that routing uses. */
export interface DialplanRequest {
  section: string;
  destinationNumber: string;
  callerNumber: string;
  uuid: string;
  context: string;
}

function field(form: Record<string, unknown>, ...names: string[]): string {
  for (const name of names) {
    const value = form[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return '';
}

/**
 * mod_xml_curl posts the channel's fields as a form. The Hunt-* fields are the current dialplan
 * hunt (after a transfer); the Caller-* ones the original call.
 */
export function parseDialplanRequest(form: Record<string, unknown>): DialplanRequest {
  return {
    section: field(form, 'section'),
    destinationNumber: field(form, 'Hunt-Destination-Number', 'Caller-Destination-Number', 'variable_destination_number'),
    callerNumber: field(form, 'Hunt-Caller-ID-Number', 'Caller-Caller-ID-Number', 'Caller-ANI', 'variable_caller_id_number'),
    uuid: field(form, 'Unique-ID', 'Channel-Call-UUID', 'variable_uuid'),
    context: field(form, 'Hunt-Context', 'Caller-Context') || 'public',
  };
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  // Characters XML 1.0 cannot carry at all are dropped rather than producing an unreadable document.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** A regular expression that matches exactly `text` (for the condition on destination_number). */
export function exactExpression(text: string): string {
  return `^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

export interface DialplanAction {
  application: string;
  data: string;
}

function documentWith(context: string, extensionName: string, destinationNumber: string, actions: DialplanAction[]): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    '<document type="freeswitch/xml">',
    '  <section name="dialplan" description="didhub inbound DID routing">',
    `    <context name="${escapeXml(context)}">`,
    `      <extension name="${escapeXml(extensionName)}">`,
    `        <condition field="destination_number" expression="${escapeXml(exactExpression(destinationNumber))}">`,
    ...actions.map((a) => `          <action application="${escapeXml(a.application)}" data="${escapeXml(a.data)}"/>`),
    '        </condition>',
    '      </extension>',
    '    </context>',
    '  </section>',
    '</document>',
    '',
  ];
  return lines.join('\n');
}

export interface RouteDocument {
  context: string;
  /** As the switch sent it: the condition must match the channel's own destination_number. */
  destinationNumber: string;
  number: string;
  productId: number;
  ownerId: number;
  /** Ring time of the forwarded leg (the DID's Call Timeout), seconds. */
  callTimeout: number;
  /** Hang up this many seconds after answer: what the funds allow, capped by a setting. */
  maxSeconds: number;
  /** Credit reserved on the owner for the call (a decimal string), for the switch's logs and CDR. */
  reserved: string;
  bridge: string;
  /** Per-switch guards mirroring didhub's own count (0 = none): `limit hash`, resources by id. */
  didLimit: number;
  accountLimit: number;
}

/**
 * The route for an accepted call: ring timeout, a hang-up scheduled on answer at the maximum
 * duration, the switch's own concurrency guards, then the bridge.
 */
export function buildRouteDocument(route: RouteDocument): string {
  const actions: DialplanAction[] = [
    { application: 'set', data: `didhub_product_id=${route.productId}` },
    { application: 'set', data: `didhub_owner_id=${route.ownerId}` },
    { application: 'set', data: `didhub_reserved=${route.reserved}` },
    { application: 'set', data: `call_timeout=${route.callTimeout}` },
    { application: 'set', data: 'hangup_after_bridge=true' },
    // Counted from answer, so ringing time is not taken from the caller's allowance.
    { application: 'set', data: `execute_on_answer=sched_hangup +${route.maxSeconds} ALLOTTED_TIMEOUT` },
  ];
  if (route.didLimit > 0) actions.push({ application: 'limit', data: `hash didhub did_${route.productId} ${route.didLimit} !USER_BUSY` });
  if (route.accountLimit > 0) {
    actions.push({ application: 'limit', data: `hash didhub account_${route.ownerId} ${route.accountLimit} !NORMAL_CIRCUIT_CONGESTION` });
  }
  actions.push({ application: 'bridge', data: route.bridge });
  return documentWith(route.context, `didhub ${route.number}`, route.destinationNumber, actions);
}

/** A refused call: the reason in a channel variable and the log, then a hang-up with its cause. */
export function buildRefusalDocument(context: string, destinationNumber: string, refusal: Refusal): string {
  // FreeSWITCH expands ${...} (API calls included) in an action's data, and the message may quote
  // what the caller dialled: no `$` or backslash of it reaches the log application.
  const message = refusal.message.replace(/[\r\n]+/g, ' ').replace(/[$\\]/g, '?');
  return documentWith(context, `didhub refused ${refusal.reason}`, destinationNumber, [
    { application: 'set', data: `didhub_refusal=${refusal.reason}` },
    { application: 'log', data: `NOTICE didhub refused the call: ${message}` },
    { application: 'hangup', data: refusal.cause },
  ]);
}

/** What mod_xml_curl understands as "nothing here": FreeSWITCH falls back to its own files. */
export function buildNotFoundDocument(): string {
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    '<document type="freeswitch/xml">',
    '  <section name="result">',
    '    <result status="not found"/>',
    '  </section>',
    '</document>',
    '',
  ].join('\n');
}
