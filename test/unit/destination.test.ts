import { describe, expect, it } from 'vitest';
import { validateDestination } from '../../src/domain/destination.ts';

describe('forwarding destinations', () => {
  it.each([
    ['sip_uri', 'sip:reception@pbx.example.com', 'sip:reception@pbx.example.com'],
    ['sip_uri', 'sip:2001@10.0.0.5:5060', 'sip:2001@10.0.0.5:5060'],
    ['sip_uri', '  sip:Alice@PBX.Example.com:5080 ', 'sip:Alice@pbx.example.com:5080'],
    ['sip_uri', 'sips:desk@voice.example.org', 'sips:desk@voice.example.org'],
    ['sip_uri', 'sip:+14155550100@trunk.example.net', 'sip:+14155550100@trunk.example.net'],
    ['sip_uri', 'sip:ops@[2001:db8::1]:5060', 'sip:ops@[2001:db8::1]:5060'],
    ['pstn', '+14155552671', '+14155552671'],
    ['pstn', '+44 20 7946 0958', '+442079460958'],
    ['pstn', '+49 (30) 901820', '+4930901820'],
    ['extension', '2001', '2001'],
    ['extension', '10', '10'],
    ['extension', '1234567890', '1234567890'],
  ])('when a %s destination is "%s", then it is accepted as "%s"', (type, input, normal) => {
    expect(validateDestination(type, input)).toEqual({ ok: true, type, destination: normal });
  });

  it.each([
    ['sip_uri', 'reception@pbx.example.com', 'Enter a SIP URI like'],
    ['sip_uri', 'sip:pbx.example.com', 'Enter a SIP URI like'],
    ['sip_uri', 'sip:@pbx.example.com', 'Enter a SIP URI like'],
    ['sip_uri', 'sip:bob@', 'Enter a SIP URI like'],
    ['sip_uri', 'sip:bob@-bad-.example', 'domain name or an IP address'],
    ['sip_uri', 'sip:bob@localhost', 'domain name or an IP address'],
    ['sip_uri', 'sip:bob@300.1.1.1', 'domain name or an IP address'],
    ['sip_uri', 'sip:bob@pbx.example.com:0', 'port of the SIP URI'],
    ['sip_uri', 'sip:bob@pbx.example.com:70000', 'port of the SIP URI'],
    ['sip_uri', 'sip:bo"b@pbx.example.com', 'user part'],
    ['sip_uri', 'sip:bob@[not-ipv6]', 'IPv6'],
    ['pstn', '4155552671', 'international form'],
    ['pstn', '+1415', 'not a valid phone number'],
    ['pstn', '+99912345678', 'not a valid phone number'],
    ['pstn', '+1 415 abc 2671', 'not a valid phone number'],
    ['extension', '1', '2 to 10 digits'],
    ['extension', '12345678901', '2 to 10 digits'],
    ['extension', '20a1', '2 to 10 digits'],
    ['extension', '', 'Enter a destination'],
    ['fax', '2001', 'Choose SIP URI, PSTN number or extension'],
  ])('when a %s destination is "%s", then it is refused with "%s"', (type, input, message) => {
    const result = validateDestination(type, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});
