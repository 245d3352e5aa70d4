import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASSETS, assetPath, bundle } from '../../src/web/assets/build.ts';

describe('browser bundles in public/js', () => {
  it.each(ASSETS.map((asset) => [asset.output, asset.entry]))('when %s is served, then it is the current build of %s (npm run build:assets)', async (output, entry) => {
    expect(fs.readFileSync(assetPath(output), 'utf8')).toBe(await bundle(entry));
  });
});
