// Builds the price source named by the `ingest.source` setting.
import type { Config } from '../../../platform/config/schema.js';
import type { PriceSource, SourceDeps } from '../source.js';
import { SimulatorSource } from './simulator.js';

export function createSource(ingest: Config['ingest'], deps: SourceDeps): PriceSource {
  const { source } = ingest;
  if (source === 'simulator') {
    return new SimulatorSource({ ...ingest.simulator, intervalSeconds: ingest.intervalSeconds }, deps);
  }
  if (source === 'coinbase' || source === 'kraken' || source === 'alphavantage' || source.startsWith('replay:')) {
    throw new Error(`ingest.source: "${source}" is not available yet (being written); use "simulator"`);
  }
  throw new Error(`ingest.source: unknown source "${source}"`);
}
