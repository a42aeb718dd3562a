// The dashboard's built files (dist/web/public) held in memory with their gzip and brotli forms and
// ETags, looked up by exact name: a URL never becomes a filesystem path, so traversal is impossible.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface Asset {
  readonly name: string;
  readonly type: string;
  readonly etag: string;
  /** Content-hashed names are cached for a year; index.html is revalidated every time. */
  readonly immutable: boolean;
  readonly identity: Buffer;
  readonly gzip: Buffer | undefined;
  readonly brotli: Buffer | undefined;
}

export interface AssetSet {
  readonly dir: string;
  /** Keyed by file name ("index.html", "app-3F2A1B9C.js"). */
  readonly files: ReadonlyMap<string, Asset>;
  /** CSP hashes ("sha256-...") of the inline styles the chart library adds (manifest.json). */
  readonly styleHashes: readonly string[];
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** A name the bundler produced with a content hash: app-3F2A1B9C.js. */
const HASHED = /-[A-Z0-9]{8,}\.[a-z]+$/;

/** Where `npm run build` puts the dashboard, from this file in web/server (source) or dist/web/server (built). */
export function defaultAssetsDir(): string {
  const candidates = [join(import.meta.dirname, '..', 'public'), join(import.meta.dirname, '..', '..', 'dist', 'web', 'public')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

export function loadAssets(dir: string): AssetSet {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`the dashboard is not built: ${join(dir, 'index.html')} is missing; run npm run build`);
  }
  const files = new Map<string, Asset>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const extension = /\.[a-z0-9]+$/i.exec(entry.name)?.[0]?.toLowerCase() ?? '';
    const type = TYPES[extension];
    if (type === undefined) continue;
    const identity = readFileSync(join(dir, entry.name));
    const compressible = !type.startsWith('image/png') && identity.length > 512;
    files.set(entry.name, {
      name: entry.name,
      type,
      etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`,
      immutable: HASHED.test(entry.name),
      identity,
      gzip: compressible ? gzipSync(identity, { level: 9 }) : undefined,
      brotli: compressible
        ? brotliCompressSync(identity, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length },
          })
        : undefined,
    });
  }
  let styleHashes: string[] = [];
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { styleHashes?: unknown };
    if (Array.isArray(manifest.styleHashes))
      styleHashes = manifest.styleHashes.filter((h): h is string => typeof h === 'string' && /^sha256-[A-Za-z0-9+/]{43}=$/.test(h));
  } catch {
    // No manifest: no inline style allowed at all.
  }
  return { dir, files, styleHashes };
}

/** The best encoding the client accepts: br, then gzip, then none (q=0 honoured). */
export function chooseEncoding(acceptEncoding: string | undefined, asset: Asset): 'br' | 'gzip' | 'identity' {
  if (!acceptEncoding) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q) || 0);
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (asset.brotli && ok('br')) return 'br';
  if (asset.gzip && ok('gzip')) return 'gzip';
  return 'identity';
}
