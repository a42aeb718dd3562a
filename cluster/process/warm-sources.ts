// The candle history sources a warm start may read, by the names warmup.sources uses: the
// appliance's own store, and the exchanges' public REST candles.
import type { Config } from '../../platform/config/schema.js';
import type { CandleHistory } from '../../platform/history/history.js';
import { CoinbaseCandleHistory } from '../../platform/history/coinbase.js';
import { KrakenCandleHistory } from '../../platform/history/kraken.js';
import { StoreCandleHistory } from '../../platform/history/store-history.js';
import type { Logger } from '../../platform/log.js';
import type { AggregateStore } from '../../platform/store/store.js';

export type WarmupSourceName = Config['warmup']['sources'][number];

const EXCHANGE_HISTORIES: Record<'coinbase' | 'kraken', () => CandleHistory> = {
  coinbase: () => new CoinbaseCandleHistory(),
  kraken: () => new KrakenCandleHistory(),
};

/** The configured sources in order; `store` is undefined when the store could not be opened. */
export function warmupSources(config: Config, store: AggregateStore | undefined, logger: Logger): CandleHistory[] {
  const sources: CandleHistory[] = [];
  for (const name of config.warmup.sources) {
    if (name === 'store') {
      if (store) sources.push(new StoreCandleHistory(store));
      continue;
    }
    // `exchange`: the live source's own history; simulated or replayed prices have none to warm from.
    const exchange = name === 'exchange' ? config.ingest.source : name;
    if (exchange === 'coinbase' || exchange === 'kraken') sources.push(EXCHANGE_HISTORIES[exchange]());
    else logger.debug({ source: config.ingest.source }, 'warm start: the live source has no exchange history; the store only');
  }
  return sources;
}
