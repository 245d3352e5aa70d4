import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASSETS, assetPath, bundle } from '../../src/web/assets/build.ts';

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

describe('browser bundles in public/js', () => {
  it.each(ASSETS.map((asset) => [asset.output, asset.entry]))('when %s is served, then it is the current build of %s (npm run build:assets)', async (output, entry) => {
    const served = digest(fs.readFileSync(assetPath(output), 'utf8'));
    expect(served, `${output} is stale: run npm run build:assets`).toBe(digest(await bundle(entry)));
  });
});
