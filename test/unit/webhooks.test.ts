// Which URLs a webhook endpoint may have, the body a receiver gets, and when an endpoint is disabled.
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, disableReason, isPrivateAddress, isPrivateHost, webhookBodyText, webhookPayload } from '../../src/domain/webhooks.ts';

describe('webhook URLs', () => {
  it.each([
    ['https://hooks.example.com/didhub', false, 'https://hooks.example.com/didhub'],
    ['  https://hooks.example.com/a?b=c#frag ', false, 'https://hooks.example.com/a?b=c'],
    ['https://hooks.example.com:8443/x', false, 'https://hooks.example.com:8443/x'],
    ['http://127.0.0.1:4000/hook', true, 'http://127.0.0.1:4000/hook'],
    ['http://localhost/hook', true, 'http://localhost/hook'],
    ['http://10.1.2.3/hook', true, 'http://10.1.2.3/hook'],
    ['http://[::1]:9/hook', true, 'http://[::1]:9/hook'],
    ['https://192.168.1.10/hook', true, 'https://192.168.1.10/hook'],
  ])('when %s is given (http allowed: %s), then it is accepted as %s', (text, allowHttp, url) => {
    expect(checkWebhookUrl(text, { allowHttp })).toEqual({ ok: true, url });
  });

  it.each([
    ['http://hooks.example.com/x', false, 'The URL must start with https://'],
    ['http://hooks.example.com/x', true, 'Plain http:// is allowed only to this machine or a private network address; use https://'],
    ['http://127.0.0.1/x', false, 'The URL must start with https://'],
    ['https://127.0.0.1/x', false, 'The URL must point to a public address, not this machine or a private network'],
    ['https://localhost/x', false, 'The URL must point to a public address, not this machine or a private network'],
    ['https://[fd00::1]/x', false, 'The URL must point to a public address, not this machine or a private network'],
    ['ftp://hooks.example.com/x', true, 'The URL must start with https://'],
    ['javascript:alert(1)', true, 'The URL must start with https://'],
    ['https://user:pass@hooks.example.com/x', false, 'Leave user names and passwords out of the URL: each delivery is signed instead'],
    ['hooks.example.com/x', false, 'Enter a full URL such as https://example.com/webhooks/didhub'],
  ])('when %s is given (http allowed: %s), then it is refused: %s', (text, allowHttp, message) => {
    expect(checkWebhookUrl(text, { allowHttp })).toEqual({ ok: false, message });
  });

  it.each([
    ['localhost', true], ['api.localhost', true], ['127.5.0.1', true], ['172.16.0.1', true], ['172.32.0.1', false],
    ['169.254.169.254', true], ['100.64.0.1', true], ['::ffff:10.0.0.1', true], ['8.8.8.8', false], ['example.com', false],
  ])('when the host is %s, then private is %s', (host, expected) => {
    expect(isPrivateHost(host)).toBe(expected);
  });
});

describe('addresses a delivery may not reach', () => {
  it.each([
    // IPv4: loopback, RFC 1918, link-local (cloud metadata), CGNAT, unspecified, multicast, reserved, broadcast
    ['127.0.0.1', true], ['127.255.255.254', true], ['10.20.30.40', true], ['172.16.0.1', true], ['172.31.255.255', true], ['192.168.0.1', true],
    ['169.254.169.254', true], ['100.64.0.1', true], ['0.0.0.0', true], ['224.0.0.1', true], ['240.0.0.1', true], ['255.255.255.255', true],
    ['198.18.0.1', true], ['192.0.0.8', true],
    ['8.8.8.8', false], ['93.184.215.14', false], ['172.32.0.1', false], ['100.128.0.1', false], ['11.0.0.1', false],
    // IPv6: loopback, unspecified, unique local, link-local (with a zone), multicast, discard, site-local
    ['::1', true], ['::', true], ['fd12:3456::1', true], ['fc00::1', true], ['fe80::1', true], ['fe80::1%eth0', true], ['ff02::1', true],
    ['100::1', true], ['fec0::1', true],
    ['2001:4860:4860::8888', false], ['2606:4700::1111', false],
    // IPv4 inside IPv6: mapped (dotted and hex), compatible, NAT64, 6to4; each judged by its IPv4 address
    ['::ffff:127.0.0.1', true], ['::ffff:7f00:1', true], ['::ffff:a9fe:a9fe', true], ['::ffff:10.0.0.1', true], ['::ffff:8.8.8.8', false],
    ['::127.0.0.1', true], ['64:ff9b::10.0.0.1', true], ['64:ff9b::808:808', false], ['2002:c0a8:101::1', true], ['2002:808:808::1', false],
    // Not an address: refused rather than guessed at
    ['example.com', true], ['', true],
  ])('when the address is %s, then private is %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('webhook body', () => {
  it('when an event becomes a payload, then the receiver gets {type, timestamp, data} and the id stays out of the body', () => {
    const payload = webhookPayload('msg_1', { type: 'number.purchased', occurredAt: new Date('2027-01-02T03:04:05Z'), data: { number: '+14155550100' } });
    expect(payload).toEqual({ webhook_id: 'msg_1', type: 'number.purchased', timestamp: '2027-01-02T03:04:05.000Z', data: { number: '+14155550100' } });
    expect(JSON.parse(webhookBodyText({ ...payload }))).toEqual({ type: 'number.purchased', timestamp: '2027-01-02T03:04:05.000Z', data: { number: '+14155550100' } });
  });
});

describe('auto-disable', () => {
  const since = new Date('2027-01-01T00:00:00Z');
  const hoursLater = (hours: number) => new Date(since.getTime() + hours * 3_600_000);
  it.each([
    [0, null, 1, undefined, false],
    [4, since, 30, undefined, false],
    [5, since, 23.9, undefined, false],
    [5, since, 24, undefined, true],
    [8, since, 27.6, undefined, true],
    [1, since, 0, 410, true],
    [1, null, 0, 500, false],
  ])('when %i failures in a row since %s and %s hours on (status %s), then disabled is %s', (failures, failingSince, hours, responseCode, disabled) => {
    const reason = disableReason({ consecutiveFailures: failures, failingSince }, hoursLater(hours), { disableAfterHours: 24, responseCode });
    expect(reason !== undefined).toBe(disabled);
  });
});
