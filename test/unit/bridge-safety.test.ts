// The bridge string never carries FreeSWITCH dial-string syntax from a destination: validation
// refuses it, and the bridge builder refuses it again on its own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bridgeString, type BridgeSettings, type DestinationType } from '../../src/domain/call-routing.ts';
import { validateDestination } from '../../src/domain/destination.ts';

const DEFAULTS: BridgeSettings = {
  templates: { sip_uri: 'sofia/external/{destination}', pstn: 'sofia/gateway/{gateway}/{destination}', extension: 'user/{destination}@{domain}' },
  pstnGateway: 'pstn',
  extensionDomain: '${domain_name}',
};
// Templates of the target alone: the whole bridge is what came from the destination.
const BARE: BridgeSettings = { templates: { sip_uri: '{destination}', pstn: '{destination}', extension: '{destination}' }, pstnGateway: 'g', extensionDomain: 'd' };
const TYPES: DestinationType[] = ['sip_uri', 'pstn', 'extension'];

// Syntax anywhere in a dial string: leg separators, variable blocks, expansion, sofia's `^` and
// `%`, endpoint paths, URI parameters and headers, quotes, escapes, whitespace, anything non-ASCII.
// eslint-disable-next-line no-control-regex -- control characters are among what must never reach a dial string
const ALWAYS_FORBIDDEN = /[,|{}<>^$%;?/\\"'`\s\u0000-\u001F\u007F-\uFFFF]/;

/** Why a target taken from a destination is unsafe in a bridge, or undefined when it is safe. */
function unsafety(target: string): string | undefined {
  if (ALWAYS_FORBIDDEN.test(target)) return `forbidden character in ${JSON.stringify(target)}`;
  const at = target.indexOf('@');
  const user = at === -1 ? target : target.slice(0, at);
  const host = at === -1 ? '' : target.slice(at + 1);
  // `[` `]` `:` only as an IPv6 host and a port, after the one `@`: never leg variables or `:_:`.
  if (/[[\]:@]/.test(user)) return `bracket, colon or @ in the user ${JSON.stringify(user)}`;
  if (host.includes('@')) return `a second @ in ${JSON.stringify(target)}`;
  if (/[[\]]/.test(host) && !/^\[[0-9a-fA-F:.]+\](:[0-9]+)?$/.test(host)) return `brackets that are not an IPv6 host in ${JSON.stringify(host)}`;
  if (target.includes(':_:')) return `:_: in ${JSON.stringify(target)}`;
  return undefined;
}

const SPECIALS = [',', '|', '{', '}', '[', ']', '<', '>', '^', '$', '%', ';', '?', '/', '\\', '"', "'", '`', ':', '@', ' ', '\t', '\n', '\r', '\u0000', '_', '=', '+', '.', '-', '!', '~', '*', '(', ')', '&', '#', 'é', '٣', '\u2028'];
const unit = (plain: string, weight: number) => fc.oneof({ weight, arbitrary: fc.constantFrom(...plain) }, { weight: 1, arbitrary: fc.constantFrom(...SPECIALS) });
const piece = fc.string({ unit: unit('abcXYZ0123456789', 12), minLength: 1, maxLength: 12 });
// Near-valid destinations of each type, so that validation accepts a good share of them.
const sipLike = fc.tuple(
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom('sip:', 'sips:', 'SIP:') }, { weight: 1, arbitrary: fc.constant('') }),
  piece,
  fc.oneof({ weight: 8, arbitrary: fc.constant('@') }, { weight: 1, arbitrary: fc.constantFrom('@@', '') }),
  fc.oneof(fc.tuple(piece, fc.constantFrom('.com', '.example.org', '')).map((p) => p.join('')), fc.constantFrom('pbx.example.com', '10.0.0.5', '[2001:db8::1]', '[::1]', '[::1]]')),
  fc.constantFrom('', '', ':5060', ':', ':_:', ':0', ';x=1'),
).map((parts) => parts.join(''));
const digitsLike = fc.tuple(fc.constantFrom('+1415555', '+4420794', '+', ''), fc.string({ unit: unit('0123456789', 20), maxLength: 12 })).map((parts) => parts.join(''));
const destinations = fc.oneof(
  fc.tuple(fc.constantFrom(...TYPES, 'fax'), fc.string({ unit: 'binary', maxLength: 60 })),
  fc.tuple(fc.constant('sip_uri'), sipLike),
  fc.tuple(fc.constantFrom('pstn', 'extension'), digitsLike),
);

describe('bridge safety', () => {
  it('when a destination is the attack of issue 14, then validation refuses it and the bridge builder refuses it alone', () => {
    const attack = 'sip:a,loopback/9999/default/XML,b@example.com';
    expect(validateDestination('sip_uri', attack).ok).toBe(false);
    expect(bridgeString('sip_uri', attack, DEFAULTS)).toBeUndefined();
  });

  it.each([
    ['sip_uri', 'sip:a,loopback/9999/default/XML,b@example.com'],
    ['sip_uri', 'sip:a|user/1000@example.com'],
    ['sip_uri', 'sip:${sofia_contact(1000@default)}@example.com'],
    ['sip_uri', 'sip:{absolute_codec_string=PCMU}a@example.com'],
    ['sip_uri', 'sip:[leg_timeout=1]a@example.com'],
    ['sip_uri', 'sip:<x=1>a@example.com'],
    ['sip_uri', 'sip:1000%internal.example.com@example.com'],
    ['sip_uri', 'sip:a^b@example.com'],
    ['sip_uri', 'sip:a:_:b@example.com'],
    ['sip_uri', 'sip:a@example.com;fs_path=sip:evil.example.net'],
    ['sip_uri', 'sip:a@example.com\nuser/1000'],
    ['sip_uri', 'sip:"a b"@example.com'],
    ['sip_uri', 'sip:a@[::1],user/1000'],
    ['sip_uri', 'sip:a@b@example.com'],
    ['sip_uri', 'sip:gateway/pstn/1@example.com'],
    ['pstn', '+14155552671,loopback/9999'],
    ['pstn', '+1415${x}'],
    ['pstn', '14155552671'],
    ['extension', '2001|user/1000'],
    ['extension', '20 01'],
    ['extension', '{x=1}2001'],
  ] as const)('when the bridge builder is given an unvalidated %s %j, then it builds no bridge', (type, destination) => {
    expect(bridgeString(type, destination, DEFAULTS)).toBeUndefined();
  });

  it('when the type is not one of the three, then there is no bridge', () => {
    expect(bridgeString('constructor' as DestinationType, '2001', DEFAULTS)).toBeUndefined();
    expect(bridgeString('fax' as DestinationType, '2001', DEFAULTS)).toBeUndefined();
  });

  it('when a setting holds a placeholder, then it is not expanded again (one pass)', () => {
    const settings = { ...DEFAULTS, pstnGateway: '{destination}' };
    expect(bridgeString('pstn', '+14155552671', settings)).toBe('sofia/gateway/{destination}/+14155552671');
  });

  it('when any string is validated as any type, then either it is refused or the bridge holds no syntax character from it', () => {
    let accepted = 0;
    fc.assert(
      fc.property(destinations, ([type, text]) => {
        const checked = validateDestination(type, text);
        if (!checked.ok) return;
        accepted += 1;
        const bridge = bridgeString(checked.type, checked.destination, BARE);
        // What validation accepts, the builder accepts too: a valid destination always routes.
        expect(bridge).toBeDefined();
        expect(unsafety(bridge!)).toBeUndefined();
        expect(bridgeString(checked.type, checked.destination, DEFAULTS)!.endsWith(checked.type === 'extension' ? '@${domain_name}' : bridge!)).toBe(true);
      }),
      { numRuns: 5000, seed: 14 },
    );
    // The property says something only if a fair share of the strings were accepted.
    expect(accepted).toBeGreaterThan(250);
  });

  it('when any string goes to the bridge builder unvalidated, then there is no bridge or it holds no syntax character from it', () => {
    fc.assert(
      fc.property(destinations, ([type, text]) => {
        const bridge = bridgeString(type as DestinationType, text, BARE);
        if (bridge !== undefined) expect(unsafety(bridge)).toBeUndefined();
      }),
      { numRuns: 5000, seed: 14 },
    );
  });
});
