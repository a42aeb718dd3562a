// The package version, read from package.json wherever the code runs from (sources or dist/).
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function version(): string {
  if (cached !== undefined) return cached;
  // One level up from the sources, two from dist/: take whichever is the project's package.json.
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'stock-stream') return (cached = pkg.version);
    } catch {
      // not at this depth
    }
  }
  return (cached = 'unknown');
}
