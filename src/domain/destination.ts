// Where a number's calls are forwarded: a SIP URI, a PSTN number or an extension.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type DestinationType = 'sip_uri' | 'pstn' | 'extension';

export const DESTINATION_TYPES: ReadonlyArray<{ value: DestinationType; label: string; example: string }> = [
  { value: 'sip_uri', label: 'SIP URI', example: 'sip:reception@pbx.example.com' },
  { value: 'pstn', label: 'PSTN number', example: '+14155552671' },
  { value: 'extension', label: 'Extension', example: '2001' },
];

export type DestinationResult = { ok: true; type: DestinationType; destination: string } | { ok: false; message: string };

// A DNS name of labels (letters, digits, inner hyphens) with a letter-only top-level label.
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// RFC 3261 user part: unreserved characters, escapes and the user-unreserved marks.
const SIP_USER = /^([a-z0-9\-_.!~*'()&=+$,;?/]|%[0-9a-f]{2})+$/i;

function isIpv6(text: string): boolean {
  // Bracketed in a URI; let the URL parser judge the address itself.
  try {
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

function validateSipUri(input: string): DestinationResult {
  const match = /^sips?:([^@\s]+)@([^\s;?]+)$/i.exec(input);
  if (!match) return { ok: false, message: 'Enter a SIP URI like sip:user@host or sip:user@host:5060' };
  const [, user, hostPort] = match as unknown as [string, string, string];
  if (!SIP_USER.test(user)) return { ok: false, message: 'The user part of the SIP URI has characters that are not allowed' };
  let host = hostPort;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (bracketed) {
    if (!isIpv6(bracketed[1]!)) return { ok: false, message: 'The host of the SIP URI is not a valid IPv6 address' };
    port = bracketed[2];
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon !== -1) {
      host = hostPort.slice(0, colon);
      port = hostPort.slice(colon + 1);
    }
    if (!HOSTNAME.test(host) && !IPV4.test(host)) return { ok: false, message: 'The host of the SIP URI must be a domain name or an IP address' };
  }
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    return { ok: false, message: 'The port of the SIP URI must be a number from 1 to 65535' };
  }
  const scheme = input.slice(0, input.indexOf(':')).toLowerCase();
  return { ok: true, type: 'sip_uri', destination: `${scheme}:${user}@${hostPort.toLowerCase()}` };
}

function validatePstn(input: string): DestinationResult {
  const compact = input.replace(/[\s().-]/g, '');
  if (!compact.startsWith('+')) return { ok: false, message: 'Enter the number in international form, starting with + and the country code' };
  const phone = parsePhoneNumberFromString(compact);
  if (!phone || !phone.isValid()) return { ok: false, message: 'This is not a valid phone number' };
  return { ok: true, type: 'pstn', destination: phone.number };
}

function validateExtension(input: string): DestinationResult {
  if (!/^\d{2,10}$/.test(input)) return { ok: false, message: 'An extension is 2 to 10 digits' };
  return { ok: true, type: 'extension', destination: input };
}

/** Checks a destination for its type and returns it in its normal form (E.164, lower-case host). */
export function validateDestination(type: string, raw: string): DestinationResult {
  const input = raw.trim();
  if (input === '') return { ok: false, message: 'Enter a destination' };
  if (type === 'sip_uri') return validateSipUri(input);
  if (type === 'pstn') return validatePstn(input);
  if (type === 'extension') return validateExtension(input);
  return { ok: false, message: 'Choose SIP URI, PSTN number or extension' };
}
