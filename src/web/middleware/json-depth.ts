// JSON.parse reads any depth, but slowly (seconds for a megabyte of "["), and what comes after it
// (JSON.stringify of a record to keep it, a walk over the values) may recurse until the stack
// runs out. A body nested deeper than any real request is refused before it is parsed, by one
// linear scan of its bytes.

export const JSON_TOO_DEEP = 'entity.too.deep';
/** mod_json_cdr documents nest about 4 levels, forms and API requests fewer. */
export const MAX_JSON_DEPTH = 64;

/** Whether the JSON text (or its UTF-8 bytes) opens more than `max` arrays or objects at once. */
export function jsonDepthExceeds(input: string | Buffer, max = MAX_JSON_DEPTH): boolean {
  const code = typeof input === 'string' ? (i: number) => input.charCodeAt(i) : (i: number) => input[i]!;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < input.length; i += 1) {
    const c = code(i);
    if (inString) {
      if (c === 0x5c) i += 1; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/** A body-parser `verify`: a body nested too deep fails with type JSON_TOO_DEEP (answered 400). */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  if (jsonDepthExceeds(body)) {
    throw Object.assign(new Error(`The JSON nests deeper than ${MAX_JSON_DEPTH} levels`), { type: JSON_TOO_DEEP });
  }
}
