// Builds the price source named by the `ingest.source` setting.
import type { Config } from '../../../platform/config/schema.js';
import type { PriceSource, SourceDeps } from '../source.js';
import { AlphaVantageSource } from './alphavantage.js';
import { createCoinbaseSource } from './coinbase.js';
import { createKrakenSource } from './kraken.js';
import { ReplaySource } from './replay.js';
import { SimulatorSource } from './simulator.js';

/** Throws an Error naming the problem when the settings cannot make a source (no API key, unknown name). */
export function createSource(ingest: Config['ingest'], deps: SourceDeps): PriceSource {
  const { source } = ingest;
  if (source === 'simulator') return new SimulatorSource({ ...ingest.simulator, intervalSeconds: ingest.intervalSeconds }, deps);
  if (source === 'coinbase') return createCoinbaseSource({ url: ingest.coinbase.url, staleAfterSeconds: ingest.staleAfterSeconds }, deps);
  if (source === 'kraken') return createKrakenSource({ url: ingest.kraken.url, staleAfterSeconds: ingest.staleAfterSeconds }, deps);
  if (source === 'alphavantage') return new AlphaVantageSource({ ...ingest.alphavantage, intervalSeconds: ingest.intervalSeconds }, deps);
  if (source.startsWith('replay:') && source.length > 'replay:'.length) {
    return new ReplaySource({ file: source.slice('replay:'.length), speed: ingest.replay.speed }, deps);
  }
  throw new Error(`ingest.source: unknown source "${source}" (coinbase, kraken, alphavantage, simulator or replay:<file.csv>)`);
}
