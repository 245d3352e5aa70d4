// Inbound call routing decisions, as data: why a call is refused (with the hangup cause the switch
// gives the caller), the number a switch dialled in E.164, and the bridge string of a destination.
// Pure code: the services read the rows, this decides.

export type RefusalReason =
  | 'unknown_number'
  | 'inactive'
  | 'not_assigned'
  | 'suspended'
  | 'no_destination'
  | 'insufficient_funds'
  | 'limit_reached';

export interface Refusal {
  reason: RefusalReason;
  /** FreeSWITCH hangup cause (Q.850 name), which the switch maps to a SIP response. */
  cause: string;
  /** The SIP response FreeSWITCH sends for that cause, for switches that answer SIP themselves. */
  sipCode: number;
  message: string;
}

// Q.850 causes as FreeSWITCH names them, with the SIP status its cause table maps each to.
const CAUSES = {
  UNALLOCATED_NUMBER: 404,
  NO_ROUTE_DESTINATION: 404,
  CALL_REJECTED: 403,
  OUTGOING_CALL_BARRED: 403,
  USER_BUSY: 486,
  NORMAL_CIRCUIT_CONGESTION: 503,
} as const;
type Cause = keyof typeof CAUSES;

const DEFAULT_CAUSE: Record<RefusalReason, Cause> = {
  unknown_number: 'UNALLOCATED_NUMBER',
  inactive: 'NO_ROUTE_DESTINATION',
  not_assigned: 'UNALLOCATED_NUMBER',
  suspended: 'CALL_REJECTED',
  no_destination: 'NO_ROUTE_DESTINATION',
  insufficient_funds: 'OUTGOING_CALL_BARRED',
  // The number's own limit: the callee is busy. An account-wide limit uses congestion instead.
  limit_reached: 'USER_BUSY',
};

export function refuse(reason: RefusalReason, message: string, cause: Cause = DEFAULT_CAUSE[reason]): Refusal {
  return { reason, cause, sipCode: CAUSES[cause], message };
}

export const ACCOUNT_LIMIT_CAUSE: Cause = 'NORMAL_CIRCUIT_CONGESTION';

/**
 * The dialled number as E.164, or undefined when it cannot be one. Switches send it in many shapes:
 * "+14155550100", "14155550100", "0014155550100", "tel:+1 415 555 0100".
 */
export function normalizeDialledNumber(raw: string): string | undefined {
  let text = raw.trim().replace(/^(tel|sip|sips):/i, '').replace(/@.*$/, '').replace(/[\s().-]/g, '');
  if (text.startsWith('00')) text = `+${text.slice(2)}`;
  else if (!text.startsWith('+')) text = `+${text}`;
  return /^\+[1-9]\d{6,14}$/.test(text) ? text : undefined;
}

export type DestinationType = 'sip_uri' | 'pstn' | 'extension';

export interface BridgeSettings {
  templates: Record<DestinationType, string>;
  pstnGateway: string;
  extensionDomain: string;
}

// What a target may look like inside the bridge, checked again here whatever validated it before
// (defence in depth: a row saved under an older, looser grammar must not become dial-string syntax).
// Brackets and colons appear only as an IPv6 host and a port, after the `@`, where FreeSWITCH reads
// no leg variables and `:_:` cannot form; no `, | { } < > ^ $ % ; ? /`, quotes or whitespace at all.
const SAFE_TARGET: Record<DestinationType, RegExp> = {
  sip_uri: /^[A-Za-z0-9\-_.!~*()&=+]{1,128}@(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/,
  pstn: /^\+[1-9][0-9]{1,14}$/,
  extension: /^[0-9]{1,15}$/,
};

/** The part of a destination that goes into the bridge: the SIP URI without its scheme, or the destination itself. */
function bridgeTarget(type: DestinationType, destination: string): string | undefined {
  if (!Object.hasOwn(SAFE_TARGET, type) || typeof destination !== 'string') return undefined;
  const target = type === 'sip_uri' ? destination.replace(/^sips?:/i, '') : destination;
  return SAFE_TARGET[type].test(target) ? target : undefined;
}

/**
 * The switch's bridge string for a destination, from the setting's template: {destination} is the
 * SIP URI without its scheme, the E.164 number, or the extension; {gateway} and {domain} come from
 * their own settings. Undefined when the destination is not of its type's safe shape: no bridge
 * at all rather than one a destination could add legs or variables to.
 */
export function bridgeString(type: DestinationType, destination: string, settings: BridgeSettings): string | undefined {
  const target = bridgeTarget(type, destination);
  if (target === undefined) return undefined;
  const values: Record<string, string> = { destination: target, gateway: settings.pstnGateway, domain: settings.extensionDomain };
  // One pass, so a substituted value is never read again as a placeholder.
  return settings.templates[type].replace(/\{(destination|gateway|domain)\}/g, (_match, name: string) => values[name]!);
}
