// Bundles the dashboard (web/client) with esbuild into dist/web/public: content-hashed app script and
// stylesheet, the chart library as its own cached script, index.html naming them, and a manifest.
// Run by `npm run build` after tsc (node dist/web/build/bundle.js).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

/** This file runs from dist/web/build; the repository is three levels up. */
const root = join(import.meta.dirname, '..', '..', '..');
const client = join(root, 'web', 'client');
const out = join(root, 'dist', 'web', 'public');

function hashed(name: string, body: Buffer | string): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10).toUpperCase();
  return name.replace(/(\.[a-z]+)$/, `-${hash}$1`);
}

async function bundle(entry: string, loader: 'ts' | 'css'): Promise<string> {
  const result = await build({
    entryPoints: [join(client, entry)],
    bundle: true,
    minify: true,
    write: false,
    ...(loader === 'ts' ? { format: 'iife' as const } : {}),
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'warning',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.text;
}

// Files are replaced in place and stale ones removed at the end, so a server reading the folder meanwhile finds them.
mkdirSync(out, { recursive: true });
const manifest: Record<string, string> = {};
const emit = (logical: string, body: Buffer | string) => {
  const name = hashed(logical, body);
  writeFileSync(join(out, name), body);
  manifest[logical] = name;
};

emit('app.js', await bundle('main.ts', 'ts'));
emit('app.css', await bundle('styles.css', 'css'));
const charts = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
const chartsScript = readFileSync(join(dirname(charts), 'dist', 'lightweight-charts.standalone.production.js'));
emit('charts.js', chartsScript);
// The library adds one <style> for its TradingView attribution logo (which its licence asks us to
// show). The CSP allows exactly that text by its hash, and no other inline style.
const inlineStyles = [...chartsScript.toString('utf8').matchAll(/createElement\("style"\),this\.\w+\.innerText="([^"\\]*)"/g)].map(
  (m) => m[1]!,
);
if (inlineStyles.length !== 1)
  throw new Error(`expected the chart library to add one inline style, found ${inlineStyles.length}: update web/build/bundle.ts`);
const styleHashes = inlineStyles.map((text) => `sha256-${createHash('sha256').update(text).digest('base64')}`);
emit('favicon.svg', readFileSync(join(client, 'favicon.svg')));
copyFileSync(join(dirname(charts), 'LICENSE'), join(out, 'lightweight-charts-LICENSE.txt'));

const html = readFileSync(join(client, 'index.html'), 'utf8').replace(/\{\{([a-z.]+)\}\}/g, (_, logical: string) => {
  const name = manifest[logical];
  if (!name) throw new Error(`index.html names ${logical}, which the build does not produce`);
  return name;
});
writeFileSync(join(out, 'index.html'), html);
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify({ ...manifest, styleHashes }, null, 2)}\n`);
const keep = new Set([...Object.values(manifest), 'index.html', 'manifest.json', 'lightweight-charts-LICENSE.txt']);
for (const name of readdirSync(out)) if (!keep.has(name)) rmSync(join(out, name), { force: true });
