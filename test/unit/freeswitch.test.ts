import { describe, expect, it } from 'vitest';
import { bridgeString, normalizeDialledNumber, refuse } from '../../src/domain/call-routing.ts';
import {
  buildNotFoundDocument,
  buildRefusalDocument,
  buildRouteDocument,
  escapeXml,
  exactExpression,
  parseDialplanRequest,
  parseFreeswitchCdr,
  parsePlainCdr,
} from '../../src/domain/freeswitch.ts';
import { isAddressAllowed, parseAddressList } from '../../src/services/switches.ts';
import { freeswitchCdr } from '../helpers/switch.ts';

describe('dialled numbers', () => {
  it.each([
    ['+14155550100', '+14155550100'],
    ['14155550100', '+14155550100'],
    ['0014155550100', '+14155550100'],
    ['tel:+1 (415) 555-0100', '+14155550100'],
    ['sip:+14155550100@203.0.113.1', '+14155550100'],
    ['+442079460100', '+442079460100'],
    ['2001', undefined],
    ['+0123456789', undefined],
    ['abc', undefined],
    ['', undefined],
  ])('when a switch dials %j, then the number is %j', (input, expected) => {
    expect(normalizeDialledNumber(input)).toBe(expected);
  });
});

describe('bridge strings', () => {
  const settings = {
    templates: { sip_uri: 'sofia/external/{destination}', pstn: 'sofia/gateway/{gateway}/{destination}', extension: 'user/{destination}@{domain}' },
    pstnGateway: 'pstn',
    extensionDomain: '${domain_name}',
  };
  it.each([
    ['sip_uri', 'sip:office@pbx.example.com', 'sofia/external/office@pbx.example.com'],
    ['sip_uri', 'sips:desk@10.0.0.5:5061', 'sofia/external/desk@10.0.0.5:5061'],
    ['pstn', '+14155559876', 'sofia/gateway/pstn/+14155559876'],
    ['extension', '2001', 'user/2001@${domain_name}'],
  ] as const)('when a %s destination is %s, then the bridge is %s', (type, destination, bridge) => {
    expect(bridgeString(type, destination, settings)).toBe(bridge);
  });
});

describe('refusal causes', () => {
  it.each([
    ['unknown_number', 'UNALLOCATED_NUMBER', 404],
    ['inactive', 'NO_ROUTE_DESTINATION', 404],
    ['not_assigned', 'UNALLOCATED_NUMBER', 404],
    ['suspended', 'CALL_REJECTED', 403],
    ['no_destination', 'NO_ROUTE_DESTINATION', 404],
    ['insufficient_funds', 'OUTGOING_CALL_BARRED', 403],
    ['limit_reached', 'USER_BUSY', 486],
  ] as const)('when a call is refused as %s, then the cause is %s (SIP %i)', (reason, cause, sip) => {
    expect(refuse(reason, 'x')).toMatchObject({ reason, cause, sipCode: sip });
  });
});

describe('mod_xml_curl request and documents', () => {
  it('when the form has Hunt-* fields, then they win over Caller-*', () => {
    const request = parseDialplanRequest({
      section: 'dialplan', 'Caller-Destination-Number': '+1', 'Hunt-Destination-Number': '+2', 'Unique-ID': 'u', 'Caller-Context': 'public', 'Hunt-Context': 'from-carrier',
    });
    expect(request).toEqual({ section: 'dialplan', destinationNumber: '+2', callerNumber: '', uuid: 'u', context: 'from-carrier' });
    expect(parseDialplanRequest({}).context).toBe('public');
  });

  it.each([
    ['a&b', 'a&amp;b'],
    ['<x y="1">', '&lt;x y=&quot;1&quot;&gt;'],
    ["it's", 'it&apos;s'],
    ['bell\u0007', 'bell'],
  ])('when %j is escaped, then it is %j', (input, output) => {
    expect(escapeXml(input)).toBe(output);
  });

  it('when a number has regex characters, then the condition matches it exactly', () => {
    expect(exactExpression('+14155550100')).toBe('^\\+14155550100$');
    expect(new RegExp(exactExpression('+1.5')).test('+1x5')).toBe(false);
  });

  it('when a route is built, then it holds ring timeout, scheduled hang-up on answer, limits and the bridge, in order', () => {
    const xml = buildRouteDocument({
      context: 'public', destinationNumber: '+14155550100', number: '+14155550100', productId: 7, ownerId: 9, callTimeout: 30,
      maxSeconds: 1996, reserved: '19.9600', bridge: 'sofia/external/office@pbx.example.com', didLimit: 2, accountLimit: 0,
    });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<document type="freeswitch/xml">')).toBe(true);
    const actions = [...xml.matchAll(/<action application="([^"]+)" data="([^"]*)"\/>/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(actions).toEqual([
      'set didhub_product_id=7',
      'set didhub_owner_id=9',
      'set didhub_reserved=19.9600',
      'set call_timeout=30',
      'set hangup_after_bridge=true',
      'set execute_on_answer=sched_hangup +1996 ALLOTTED_TIMEOUT',
      'limit hash didhub did_7 2 !USER_BUSY',
      'bridge sofia/external/office@pbx.example.com',
    ]);
  });

  it('when a call is refused, then the document hangs up with the cause and says why', () => {
    const xml = buildRefusalDocument('public', '+14155550100', refuse('insufficient_funds', 'The owner "Acme" & co cannot pay'));
    expect(xml).toContain('<action application="set" data="didhub_refusal=insufficient_funds"/>');
    expect(xml).toContain('data="NOTICE didhub refused the call: The owner &quot;Acme&quot; &amp; co cannot pay"');
    expect(xml).toContain('<action application="hangup" data="OUTGOING_CALL_BARRED"/>');
  });

  it('when the refusal message quotes a dialled ${...}, then the log action carries no variable or API expansion', () => {
    const xml = buildRefusalDocument('public', 'x', refuse('unknown_number', '"${system(id)}\\$${domain}" is not a phone number'));
    expect(xml).toContain('data="NOTICE didhub refused the call: &quot;?{system(id)}???{domain}&quot; is not a phone number"');
    expect(/application="log" data="([^"]*)"/.exec(xml)?.[1]).not.toMatch(/[$\\]/);
  });

  it('when nothing is found, then the result section says so', () => {
    expect(buildNotFoundDocument()).toContain('<section name="result">\n    <result status="not found"/>');
  });
});

describe('mod_json_cdr documents', () => {
  it('when a CDR has URL-encoded values, then they are decoded', () => {
    const parsed = parseFreeswitchCdr(freeswitchCdr({ uuid: 'a-1', number: '+14155550100', billsec: 71, start: 1_780_000_000, ringSeconds: 4 }));
    expect(parsed).toEqual({
      ok: true,
      cdr: {
        uuid: 'a-1', number: '+14155550100', caller: '+15105550123', startedAt: new Date(1_780_000_000_000),
        answeredAt: new Date(1_780_000_004_000), endedAt: new Date(1_780_000_075_000), durationSeconds: 75, billsec: 71, hangupCause: 'NORMAL_CLEARING',
      },
    });
  });

  it('when the variables lack the numbers, then the callflow caller profile gives them', () => {
    const doc = freeswitchCdr({ uuid: 'a-2', number: '+14155550100', billsec: 0 });
    delete (doc.variables as Record<string, unknown>).destination_number;
    delete (doc.variables as Record<string, unknown>).caller_id_number;
    const parsed = parseFreeswitchCdr(doc);
    expect(parsed.ok && [parsed.cdr.number, parsed.cdr.caller, parsed.cdr.answeredAt]).toEqual(['+14155550100', '+15105550123', null]);
  });

  const base = { uuid: 'u-1', billsec: '10', start_epoch: '1780000000', answer_epoch: '1780000002', end_epoch: '1780000012', destination_number: '+14155550100' };
  it.each([
    [{ ...base, uuid: '' }, 'variables.uuid is missing'],
    [{ ...base, uuid: 'bad uuid with spaces' }, 'is not a call id'],
    [{ ...base, destination_number: '' }, 'variables.destination_number is missing'],
    [{ ...base, start_epoch: 'yesterday' }, 'variables.start_epoch is missing or not a time'],
    [{ ...base, billsec: '-3' }, 'variables.billsec is missing or not a whole number'],
    [{ ...base, billsec: '1.5' }, 'variables.billsec is missing or not a whole number'],
    [{ ...base, answer_epoch: '0' }, 'never answered'],
    [{ ...base, end_epoch: '1779999999' }, 'ended before it started'],
    [{ ...base, billsec: '60' }, 'longer than the whole call'],
  ])('when the variables are %o, then it is rejected: %s', (variables, reason) => {
    const parsed = parseFreeswitchCdr({ variables });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });
});

describe('plain JSON CDRs', () => {
  it.each([
    [{ uuid: 'p1', destination: '+14155550100', started_at: '2026-11-29T10:00:00Z', answered_at: '2026-11-29T10:00:05Z', ended_at: '2026-11-29T10:01:05Z', billsec: 60 }, 60],
    [{ uuid: 'p2', destination: '+14155550100', started_at: 1_780_000_000, answered_at: 1_780_000_001, ended_at: 1_780_000_011, billsec: '10' }, 10],
    [{ uuid: 'p3', destination: '+14155550100', started_at: '2026-11-29T10:00:00+01:00', billsec: 0 }, 0],
  ])('when the record is %o, then it is read with billsec %i', (record, billsec) => {
    const parsed = parsePlainCdr(record);
    expect(parsed.ok && parsed.cdr.billsec).toBe(billsec);
  });

  it.each([
    [[], 'not a JSON object'],
    [{ uuid: 'p', destination: '+1', started_at: '2026-11-29 10:00', billsec: 1 }, 'started_at is missing or not a time'],
    [{ uuid: 'p', destination: '+1', started_at: '2026-11-29T10:00:00Z', billsec: 1.5 }, 'billsec'],
    [{ uuid: 'p', started_at: '2026-11-29T10:00:00Z', billsec: 1 }, 'destination is missing'],
    [{ uuid: 'p', destination: '+1', started_at: 1e308, billsec: 0 }, 'started_at is missing or not a time'],
    // eslint-disable-next-line no-loss-of-precision -- a timestamp past 2^53 is the input under test
    [{ uuid: 'p', destination: '+1', started_at: 9007199254740993, billsec: 0 }, 'started_at is missing or not a time'],
    [{ uuid: 'p', destination: '+1', started_at: 253402300800, billsec: 0 }, 'started_at is missing or not a time'],
    [{ uuid: 'p', destination: '+1', started_at: '0000-01-01T00:00:00Z', billsec: 0 }, 'started_at is missing or not a time'],
    [{ uuid: 'p', destination: '+1', started_at: '1969-12-31T23:59:59Z', billsec: 0 }, 'started_at is missing or not a time'],
    [{ uuid: 'p', destination: '+1', started_at: 1, ended_at: 99_999_999_999, billsec: 0 }, 'longer than any call'],
    [{ uuid: 'p', destination: '+1\u0000', started_at: 1_780_000_000, billsec: 0 }, 'destination holds a NUL byte'],
    [{ uuid: 'p', destination: '+1', caller: '\u0000', started_at: 1_780_000_000, billsec: 0 }, 'caller holds a NUL byte'],
    [{ uuid: 'p\u0000', destination: '+1', started_at: 1_780_000_000, billsec: 0 }, 'uuid "p\\u0000" is not a call id'],
  ])('when the record is %o, then it is rejected: %s', (record, reason) => {
    const parsed = parsePlainCdr(record);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });
});

describe('allowed switch addresses', () => {
  it.each([
    ['', true, '203.0.113.5'],
    ['203.0.113.5', true, '203.0.113.5'],
    ['203.0.113.5', true, '::ffff:203.0.113.5'],
    ['203.0.113.0/24', true, '203.0.113.77'],
    ['203.0.113.0/24', false, '203.0.114.1'],
    ['2001:db8::/32', true, '2001:db8::1'],
    ['2001:db8::/32', false, '2001:db9::1'],
    ['10.0.0.1, 192.0.2.0/28', true, '192.0.2.15'],
  ])('when the list is %j, then %s for %s', (list, allowed, ip) => {
    const parsed = parseAddressList(list);
    expect(parsed.ok && isAddressAllowed(parsed.addresses, ip)).toBe(allowed);
  });

  it.each(['example.com', '10.0.0.0/33', '1.2.3.4/8/9', '::1/129'])('when %j is given, then it is refused', (entry) => {
    expect(parseAddressList(entry).ok).toBe(false);
  });
});
