import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from '../../src/web/middleware/json-depth.ts';

describe('JSON depth before parsing', () => {
  it.each([
    ['{}', 1, false],
    ['{"a":[1,{"b":2}]}', 3, false],
    ['{"a":[1,{"b":2}]}', 2, true],
    ['[[[]]]', 2, true],
    // Brackets inside strings, escaped quotes included, do not count.
    ['["[[[[", "\\"[[[["]', 1, false],
    ['[[],[],[],[]]', 2, false],
    ['x'.repeat(10) + '['.repeat(65), 64, true],
    ['['.repeat(64) + ']'.repeat(64), 64, false],
  ])('when the JSON is %s and the limit %i, then too deep: %s', (json, max, expected) => {
    expect(jsonDepthExceeds(json, max)).toBe(expected);
    expect(jsonDepthExceeds(Buffer.from(json), max)).toBe(expected);
  });

  it('when the body is 5,000 levels deep, then it is refused without parsing it', () => {
    expect(jsonDepthExceeds('{"a":'.repeat(5000) + '1' + '}'.repeat(5000))).toBe(true);
  });
});
