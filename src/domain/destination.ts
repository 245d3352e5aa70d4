// Where a number's calls are forwarded: a SIP URI, a PSTN number or an extension. Each type has a
// strict grammar, because the destination ends up inside a FreeSWITCH dial string, where many
// characters are syntax: `,` and `|` start another leg, `{...}` `[...]` `<...>` set variables,
// `${...}` expands one, `^` and `%` change how sofia reads the target, `/` names an endpoint.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type DestinationType = 'sip_uri' | 'pstn' | 'extension';

export const DESTINATION_TYPES: ReadonlyArray<{ value: DestinationType; label: string; example: string }> = [
  { value: 'sip_uri', label: 'SIP URI', example: 'sip:reception@pbx.example.com' },
  { value: 'pstn', label: 'PSTN number', example: '+14155552671' },
  { value: 'extension', label: 'Extension', example: '2001' },
];

export type DestinationResult = { ok: true; type: DestinationType; destination: string } | { ok: false; message: string };

export const MAX_DESTINATION_LENGTH = 255;

// RFC 3261 user = unreserved / escaped / user-unreserved, less every character FreeSWITCH reads as
// syntax in a dial string: user-unreserved's `$ , ; ? /`, the mark `'` (a quote) and escapes (a
// `%` makes sofia look the target up as a registered user). What is left means only itself.
const SIP_USER = /^[A-Za-z0-9\-_.!~*()&=+]{1,128}$/;
// A DNS name of labels (letters, digits, inner hyphens) with a letter-only top-level label.
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
const PORT = /^[0-9]{1,5}$/;

const SIP_USER_MESSAGE = 'The user part of the SIP URI may only have letters, digits and - _ . ! ~ * ( ) & = + (at most 128)';
const SIP_HOST_MESSAGE = 'The host of the SIP URI must be a domain name, an IPv4 address or an IPv6 address in [ ]';

function isIpv6(text: string): boolean {
  // Hex digits, colons and dots only (no zone id); the URL parser judges the address itself.
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(text)) return false;
  try {
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** The host and port of a SIP URI, in normal form (lower case), or why they are not valid. */
function checkHostPort(hostPort: string): { ok: true; text: string } | { ok: false; message: string } {
  const parts = /^(\[[^\]]*\]|[^:[\]]*)(?::([^:]*))?$/.exec(hostPort);
  if (!parts) return { ok: false, message: SIP_HOST_MESSAGE };
  const [, host = '', port] = parts;
  if (host.startsWith('[') ? !isIpv6(host.slice(1, -1)) : !HOSTNAME.test(host) && !IPV4.test(host)) return { ok: false, message: SIP_HOST_MESSAGE };
  if (port !== undefined && (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    return { ok: false, message: 'The port of the SIP URI must be a number from 1 to 65535' };
  }
  return { ok: true, text: `${host.toLowerCase()}${port === undefined ? '' : `:${Number(port)}`}` };
}

function validateSipUri(input: string): DestinationResult {
  const match = /^(sips?):([^@]*)@(.*)$/is.exec(input);
  if (!match || match[2] === '' || match[3] === '') return { ok: false, message: 'Enter a SIP URI like sip:user@host or sip:user@host:5060' };
  const [, scheme, user, hostPort] = match as unknown as [string, string, string, string];
  if (!SIP_USER.test(user)) return { ok: false, message: SIP_USER_MESSAGE };
  const host = checkHostPort(hostPort);
  if (!host.ok) return host;
  return { ok: true, type: 'sip_uri', destination: `${scheme.toLowerCase()}:${user}@${host.text}` };
}

function validatePstn(input: string): DestinationResult {
  if (!input.startsWith('+')) return { ok: false, message: 'Enter the number in international form, starting with + and the country code' };
  // Spaces and the usual punctuation are read past; anything else (letters, an extension) is refused
  // here, as libphonenumber would quietly drop it.
  if (!/^\+[0-9 ().-]+$/.test(input)) return { ok: false, message: 'A phone number has only digits after its +, with spaces ( ) . - if you like' };
  const phone = parsePhoneNumberFromString(input.replace(/[ ().-]/g, ''));
  if (!phone || !phone.isValid() || !/^\+[1-9][0-9]{1,14}$/.test(phone.number)) return { ok: false, message: 'This is not a valid phone number' };
  return { ok: true, type: 'pstn', destination: phone.number };
}

function validateExtension(input: string): DestinationResult {
  if (!/^[0-9]{2,10}$/.test(input)) return { ok: false, message: 'An extension is 2 to 10 digits' };
  return { ok: true, type: 'extension', destination: input };
}

/** Checks a destination for its type and returns it in its normal form (E.164, lower-case host). */
export function validateDestination(type: string, raw: string): DestinationResult {
  const input = raw.trim();
  if (input === '') return { ok: false, message: 'Enter a destination' };
  if (input.length > MAX_DESTINATION_LENGTH) return { ok: false, message: `At most ${MAX_DESTINATION_LENGTH} characters` };
  if (type === 'sip_uri') return validateSipUri(input);
  if (type === 'pstn') return validatePstn(input);
  if (type === 'extension') return validateExtension(input);
  return { ok: false, message: 'Choose SIP URI, PSTN number or extension' };
}
