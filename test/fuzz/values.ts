// The values the fuzz suite posts: what attackers and broken clients send, not what forms expect.
import fc from 'fast-check';

/** Markup that must never come back unescaped; the check looks for each marker in the response. */
export const XSS_PAYLOADS = [
  '<script>fz()</script>',
  '"><img src=x onerror=fz()>',
  "'><svg onload=fz()>",
  '" autofocus onfocus=fz() x="',
  '</textarea><script>fz()</script>',
  '<![CDATA[]]><script>fz()</script>',
] as const;
export const XSS_MARKERS = ['<script>fz', '<img src=x onerror=fz', '<svg onload=fz', '" autofocus onfocus=fz'] as const;

/** The first marker found unescaped in a response body, if any. */
export function unescapedMarker(body: string): string | undefined {
  return XSS_MARKERS.find((marker) => body.includes(marker));
}

const BOUNDARY_NUMBERS = [
  '1e308', '-1e308', '1e-308', '-0', '0', '-1', '9007199254740993', '-9007199254740993', '99999999999999', '99999999999999.9999999',
  '99999999999999.999999', '-99999999999999.999999', '100000000000000', '1e14', '1E15', '2147483648', '-2147483649',
  '9223372036854775808', 'NaN', 'Infinity', '-Infinity', '0x1F', '1_000', '1,000.50', '12.', '.5', '+5', '1.2.3', '0.0000001',
  '000000000000000000001', '１２３', '٣', '1e', 'e1', '--1', ' 5 ', '5\n',
];
const CONTROL = ['\u0000', 'a\u0000b', '\u0000\u0000', '\u0001\u0002\u001f', '\u007f', '\r\n', '\t', '\b', '\u001b[31m', '%00', '\\0'];
const UNICODE = [
  '\u202eevil\u202c', 'שלום עולם', 'مرحبا', '👩‍👩‍👧‍👦', '🇫🇮', 'e\u0301', 'ﷺ', '\ufeff', '\u200b', '\uffff', '𝔘𝔫𝔦', 'Ǆ', 'ß', 'İ', '\u2028\u2029',
];
const SHAPES = [
  '', ' ', 'null', 'undefined', 'true', 'false', '[]', '{}', '__proto__', 'constructor', "' OR 1=1 --", '%', '_', '\\', '../../etc/passwd',
  '0000-01-01', '9999-12-31', '2026-02-30', '-001-01-01', '2026-13-01T25:61', '+275760-09-13', 'a@b.c', 'sip:a,b@x', '${7*7}', '{{7*7}}',
  '<%= 7*7 %>', 'javascript:fz()', '=cmd|\' /C calc\'!A0',
];

/** One text value as a form field or a query value would carry it. */
export const fuzzText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BOUNDARY_NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom(...CONTROL) },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 3, arbitrary: fc.constantFrom(...XSS_PAYLOADS) },
  { weight: 2, arbitrary: fc.constantFrom(...SHAPES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.bigInt(), fc.double()).map(String) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', '9', '\u0000', '<script>fz()</script>'), fc.integer({ min: 300, max: 3_000 })).map(([s, n]) => s.repeat(n)) },
);

/** A very long value: a 1 MB body is over the forms' limit, one just under it is not. */
export const hugeText: fc.Arbitrary<string> = fc.constantFrom(1_048_577, 1_000_000).map((n) => 'x'.repeat(n));

/** What a JSON body can carry where a form would carry a string. */
export const fuzzJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fuzzText },
  // eslint-disable-next-line no-loss-of-precision -- an amount a float cannot hold exactly is the input under test
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 99999999999999.99) },
  { weight: 1, arbitrary: fc.array(fuzzText, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', '__proto__', 'toString', '0'), fuzzText, { maxKeys: 2 }) },
);

/** How one form field is sent: as the page had it, replaced, left out, or sent more than once. */
export type FieldMove =
  | { kind: 'keep' }
  | { kind: 'set'; value: string }
  | { kind: 'drop' }
  | { kind: 'repeat'; values: string[] }
  | { kind: 'brackets'; values: string[] };

export const fieldMove: fc.Arbitrary<FieldMove> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<FieldMove>({ kind: 'keep' }) },
  { weight: 5, arbitrary: fuzzText.map<FieldMove>((value) => ({ kind: 'set', value })) },
  { weight: 1, arbitrary: fc.constant<FieldMove>({ kind: 'drop' }) },
  { weight: 1, arbitrary: fc.array(fuzzText, { minLength: 2, maxLength: 3 }).map<FieldMove>((values) => ({ kind: 'repeat', values })) },
  { weight: 1, arbitrary: fc.array(fuzzText, { minLength: 1, maxLength: 2 }).map<FieldMove>((values) => ({ kind: 'brackets', values })) },
);

/** Percent-encodes as a browser does (UTF-8, lone surrogates become U+FFFD), spaces as +. */
export function formEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      if (/[A-Za-z0-9*\-._]/.test(char)) return char;
      return byte === 0x20 ? '+' : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** Pairs of name and value as a urlencoded body or query string. */
export function encodePairs(pairs: Array<[string, string]>): string {
  return pairs.map(([name, value]) => `${formEncode(name)}=${formEncode(value)}`).join('&');
}

/** Applies one move per field to the page's values; extra fields are added at the end. */
export function movePairs(fields: Record<string, string>, moves: Partial<Record<string, FieldMove>>, extra: Array<[string, string]>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(fields)) {
    const move = moves[name] ?? { kind: 'keep' };
    if (move.kind === 'keep') pairs.push([name, value]);
    else if (move.kind === 'set') pairs.push([name, move.value]);
    else if (move.kind === 'repeat') for (const v of move.values) pairs.push([name, v]);
    else if (move.kind === 'brackets') for (const v of move.values) pairs.push([`${name}[]`, v]);
  }
  return [...pairs, ...extra];
}

/** The moves as a JSON body: repeats become arrays, values may be any JSON. */
export const jsonOverrides = (names: string[]) => fc.dictionary(names.length > 0 ? fc.constantFrom(...names) : fc.constant('x'), fuzzJson, { maxKeys: 3 });
