import { describe, expect, it } from 'vitest';
import { validateDestination } from '../../src/domain/destination.ts';

describe('forwarding destinations', () => {
  it.each([
    ['sip_uri', 'sip:reception@pbx.example.com', 'sip:reception@pbx.example.com'],
    ['sip_uri', 'sip:2001@10.0.0.5:5060', 'sip:2001@10.0.0.5:5060'],
    ['sip_uri', '  sip:Alice@PBX.Example.com:5080 ', 'sip:Alice@pbx.example.com:5080'],
    ['sip_uri', 'SIPS:desk@voice.example.org', 'sips:desk@voice.example.org'],
    ['sip_uri', 'sip:+14155550100@trunk.example.net', 'sip:+14155550100@trunk.example.net'],
    ['sip_uri', 'sip:ops@[2001:db8::1]:5060', 'sip:ops@[2001:db8::1]:5060'],
    ['sip_uri', 'sip:ops@[2001:DB8::1]', 'sip:ops@[2001:db8::1]'],
    ['sip_uri', "sip:a.b-c_d!e~f*g(h)i&j=k+l@pbx.example.com", "sip:a.b-c_d!e~f*g(h)i&j=k+l@pbx.example.com"],
    ['sip_uri', 'sip:bob@pbx.example.com:05060', 'sip:bob@pbx.example.com:5060'],
    ['pstn', '+14155552671', '+14155552671'],
    ['pstn', '+44 20 7946 0958', '+442079460958'],
    ['pstn', '+49 (30) 901820', '+4930901820'],
    ['pstn', '+1.415.555.2671', '+14155552671'],
    ['extension', '2001', '2001'],
    ['extension', '10', '10'],
    ['extension', '1234567890', '1234567890'],
  ])('when a %s destination is "%s", then it is accepted as "%s"', (type, input, normal) => {
    expect(validateDestination(type, input)).toEqual({ ok: true, type, destination: normal });
  });

  const USER = 'user part of the SIP URI';
  const HOST = 'host of the SIP URI';
  const SHAPE = 'Enter a SIP URI like';
  it.each([
    ['sip_uri', 'reception@pbx.example.com', SHAPE],
    ['sip_uri', 'sip:pbx.example.com', SHAPE],
    ['sip_uri', 'sip:@pbx.example.com', SHAPE],
    ['sip_uri', 'sip:bob@', SHAPE],
    ['sip_uri', 'tel:+14155552671', SHAPE],
    ['sip_uri', 'sip:bob@-bad-.example', HOST],
    ['sip_uri', 'sip:bob@localhost', HOST],
    ['sip_uri', 'sip:bob@300.1.1.1', HOST],
    ['sip_uri', 'sip:bob@pbx.example.com:0', 'port of the SIP URI'],
    ['sip_uri', 'sip:bob@pbx.example.com:70000', 'port of the SIP URI'],
    ['sip_uri', 'sip:bob@pbx.example.com:50a', 'port of the SIP URI'],
    ['sip_uri', 'sip:bob@[not-ipv6]', HOST],
    ['sip_uri', 'sip:bob@[fe80::1%eth0]', HOST],
    ['sip_uri', 'sip:bob@[::1]x', HOST],
    // The attack of issue 14: a second leg into the default context.
    ['sip_uri', 'sip:a,loopback/9999/default/XML,b@example.com', USER],
    ['sip_uri', 'sip:a|loopback/9999@example.com', USER],
    ['sip_uri', 'sip:${sofia_contact(1000)}@example.com', USER],
    ['sip_uri', 'sip:$${domain}@example.com', USER],
    ['sip_uri', 'sip:{origination_caller_id_number=1}a@example.com', USER],
    ['sip_uri', 'sip:[leg_timeout=1]a@example.com', USER],
    ['sip_uri', 'sip:<var=1>a@example.com', USER],
    ['sip_uri', 'sip:a^b@example.com', USER],
    ['sip_uri', 'sip:a%40b@example.com', USER],
    ['sip_uri', 'sip:a;fs_path=x@example.com', USER],
    ['sip_uri', 'sip:a?X-Header=1@example.com', USER],
    ['sip_uri', 'sip:a/b@example.com', USER],
    ['sip_uri', 'sip:a:secret@example.com', USER],
    ['sip_uri', 'sip:a:_:b@example.com', USER],
    ['sip_uri', 'sip:bo"b@pbx.example.com', USER],
    ['sip_uri', "sip:bo'b@pbx.example.com", USER],
    ['sip_uri', 'sip:bo`b@pbx.example.com', USER],
    ['sip_uri', 'sip:bo\\b@pbx.example.com', USER],
    ['sip_uri', 'sip:bo b@pbx.example.com', USER],
    ['sip_uri', 'sip:bo\tb@pbx.example.com', USER],
    ['sip_uri', 'sip:bo\u0000b@pbx.example.com', USER],
    ['sip_uri', 'sip:bö@pbx.example.com', USER],
    ['sip_uri', 'sip:bob\n@pbx.example.com', USER],
    ['sip_uri', 'sip:bob@pbx.example.com\nsip:x@y.com', HOST],
    ['sip_uri', 'sip:bob@pbx.example.com,loopback/9999', HOST],
    ['sip_uri', 'sip:bob@pbx.example.com|user/1000', HOST],
    ['sip_uri', 'sip:bob@pbx.example.com;transport=tcp', HOST],
    ['sip_uri', 'sip:bob@pbx.exam ple.com', HOST],
    ['sip_uri', 'sip:bob@${domain}', HOST],
    ['sip_uri', 'sip:bob@[::1],user/1000', HOST],
    ['sip_uri', `sip:${'a'.repeat(129)}@pbx.example.com`, USER],
    ['sip_uri', `sip:a@${'b'.repeat(250)}.com`, 'At most 255 characters'],
    ['pstn', '4155552671', 'international form'],
    ['pstn', '+1415', 'not a valid phone number'],
    ['pstn', '+99912345678', 'not a valid phone number'],
    ['pstn', '+1 415 abc 2671', 'only digits'],
    ['pstn', '+14155552671,loopback/9999', 'only digits'],
    ['pstn', '+14155552671 ext. 12', 'only digits'],
    ['pstn', '+1415555\n2671', 'only digits'],
    ['pstn', '+${caller_id_number}', 'only digits'],
    ['pstn', '+١٤١٥٥٥٥٢٦٧١', 'only digits'],
    ['extension', '1', '2 to 10 digits'],
    ['extension', '12345678901', '2 to 10 digits'],
    ['extension', '20a1', '2 to 10 digits'],
    ['extension', '2001,loopback/9999', '2 to 10 digits'],
    ['extension', '20 01', '2 to 10 digits'],
    ['extension', '２００１', '2 to 10 digits'],
    ['extension', '', 'Enter a destination'],
    ['fax', '2001', 'Choose SIP URI, PSTN number or extension'],
  ])('when a %s destination is %j, then it is refused with "%s"', (type, input, message) => {
    const result = validateDestination(type, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});
