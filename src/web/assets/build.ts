// Bundles the browser scripts into public/js (committed, so `npm start` needs no build step).
// `npm run build:assets` rewrites them; test/unit/assets.test.ts fails when they are stale.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const ASSETS = [
  { entry: 'src/web/assets/cost-preview.ts', output: 'public/js/cost-preview.js' },
  { entry: 'src/web/assets/did-import.ts', output: 'public/js/did-import.js' },
  { entry: 'src/web/assets/ui.ts', output: 'public/js/ui.js' },
  { entry: 'src/web/assets/logo-upload.ts', output: 'public/js/logo-upload.js' },
  { entry: 'src/web/assets/charts.ts', output: 'public/js/charts.js' },
] as const;

/** The bundle of one entry, as text. */
export async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const banner = `/* Built from ${entry} by src/web/assets/build.ts: do not edit. */\n`;
  return banner + result.outputFiles[0]!.text;
}

export function assetPath(output: string): string {
  return path.join(root, output);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const asset of ASSETS) {
    const text = await bundle(asset.entry);
    fs.writeFileSync(assetPath(asset.output), text);
    console.log(`${asset.output}: ${(text.length / 1024).toFixed(1)} KB`);
  }
}
