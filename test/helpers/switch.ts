// Requests as the switches send them: mod_xml_curl's dialplan form and mod_json_cdr's JSON.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';

/** The fields mod_xml_curl posts for a dialplan lookup of an inbound call (a realistic subset). */
export function dialplanForm(number: string, uuid: string = randomUUID(), extra: Record<string, string> = {}): Record<string, string> {
  return {
    hostname: 'fs1.example.net',
    section: 'dialplan',
    tag_name: '',
    key_name: '',
    key_value: '',
    'Event-Name': 'REQUEST_PARAMS',
    'Core-UUID': '1c1ed4ae-3f5e-4b4f-9a5b-0c3c6a7f5d10',
    'FreeSWITCH-Hostname': 'fs1.example.net',
    'FreeSWITCH-Switchname': 'fs1',
    'FreeSWITCH-IPv4': '203.0.113.10',
    'Event-Calling-Function': 'dialplan_xml_locate',
    'Channel-State': 'CS_ROUTING',
    'Channel-Name': `sofia/external/+15105550123@198.51.100.7`,
    'Unique-ID': uuid,
    'Call-Direction': 'inbound',
    'Caller-Direction': 'inbound',
    'Caller-Username': '+15105550123',
    'Caller-Dialplan': 'XML',
    'Caller-Caller-ID-Name': 'Jane Caller',
    'Caller-Caller-ID-Number': '+15105550123',
    'Caller-Network-Addr': '198.51.100.7',
    'Caller-Destination-Number': number,
    'Caller-Unique-ID': uuid,
    'Caller-Source': 'mod_sofia',
    'Caller-Context': 'public',
    'Caller-Channel-Name': `sofia/external/+15105550123@198.51.100.7`,
    'variable_sofia_profile_name': 'external',
    ...extra,
  };
}

export function postDialplan(app: Express, token: string, form: Record<string, string>) {
  return request(app).post('/switch/freeswitch/dialplan').set('Authorization', `Bearer ${token}`).type('form').send(form);
}

export interface CdrFields {
  uuid: string;
  number: string;
  billsec: number;
  caller?: string;
  start?: number;
  ringSeconds?: number;
}

/** A mod_json_cdr document (encode-values on: values URL-encoded strings, as FreeSWITCH sends). */
export function freeswitchCdr(fields: CdrFields) {
  const start = fields.start ?? 1_780_000_000;
  const ring = fields.ringSeconds ?? 4;
  const answered = fields.billsec > 0;
  const answer = answered ? start + ring : 0;
  const end = answered ? answer + fields.billsec : start + ring;
  const caller = fields.caller ?? '+15105550123';
  return {
    'core-uuid': '1c1ed4ae-3f5e-4b4f-9a5b-0c3c6a7f5d10',
    switchname: 'fs1',
    channel_data: { state: 'CS_REPORTING', direction: 'inbound', state_number: '11', flags: '0=1;1=1', caps: '1=1;2=1;3=1' },
    variables: {
      direction: 'inbound',
      uuid: fields.uuid,
      call_uuid: fields.uuid,
      session_id: '12',
      sip_from_user: encodeURIComponent(caller),
      sip_to_user: encodeURIComponent(fields.number),
      caller_id_number: encodeURIComponent(caller),
      destination_number: encodeURIComponent(fields.number),
      start_stamp: encodeURIComponent('2026-05-28 20:26:40'),
      start_epoch: String(start),
      start_uepoch: `${start}000000`,
      answer_epoch: String(answer),
      end_epoch: String(end),
      duration: String(end - start),
      billsec: String(fields.billsec),
      progresssec: '1',
      answersec: String(answered ? ring : 0),
      hangup_cause: answered ? 'NORMAL_CLEARING' : 'NO_ANSWER',
      hangup_cause_q850: answered ? '16' : '19',
      didhub_product_id: '1',
    },
    app_log: { applications: [{ app_name: 'bridge', app_data: 'sofia/external/office@pbx.example.com' }] },
    callflow: [
      {
        dialplan: 'XML',
        profile_index: '1',
        extension: { name: 'didhub', number: fields.number },
        caller_profile: {
          username: caller, dialplan: 'XML', caller_id_name: 'Jane Caller', ani: caller, caller_id_number: caller,
          network_addr: '198.51.100.7', destination_number: fields.number, uuid: fields.uuid, source: 'mod_sofia', context: 'public',
        },
        times: { created_time: `${start}000000`, answered_time: answered ? `${answer}000000` : '0', hangup_time: `${end}000000` },
      },
    ],
  };
}

export function postFreeswitchCdr(app: Express, token: string, body: unknown) {
  return request(app).post('/switch/freeswitch/cdr').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
}

/** The seconds of the scheduled hang-up and the hangup cause in a dialplan document. */
export function routeOf(xml: string) {
  return {
    bridge: /application="bridge" data="([^"]*)"/.exec(xml)?.[1],
    maxSeconds: Number(/sched_hangup \+(\d+) ALLOTTED_TIMEOUT/.exec(xml)?.[1] ?? NaN),
    callTimeout: Number(/data="call_timeout=(\d+)"/.exec(xml)?.[1] ?? NaN),
    reserved: /data="didhub_reserved=([^"]*)"/.exec(xml)?.[1],
    hangup: /application="hangup" data="([^"]*)"/.exec(xml)?.[1],
    refusal: /data="didhub_refusal=([^"]*)"/.exec(xml)?.[1],
  };
}
