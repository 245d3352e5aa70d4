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

/**
 * The switch's bridge string for a destination, from the setting's template: {destination} is the
 * SIP URI without its scheme, the E.164 number, or the extension; {gateway} and {domain} come from
 * their own settings.
 */
export function bridgeString(type: DestinationType, destination: string, settings: BridgeSettings): string {
  const target = type === 'sip_uri' ? destination.replace(/^sips?:/i, '') : destination;
  return settings.templates[type]
    .replaceAll('{destination}', target)
    .replaceAll('{gateway}', settings.pstnGateway)
    .replaceAll('{domain}', settings.extensionDomain);
}
