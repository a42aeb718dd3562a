// The candle history sources a warm start may read, by the names warmup.sources uses. The store is
// the appliance's own; the exchanges' REST clients join the table as they are written.
import type { Config } from '../../platform/config/schema.js';
import type { CandleHistory } from '../../platform/history/history.js';
import { StoreCandleHistory } from '../../platform/history/store-history.js';
import type { Logger } from '../../platform/log.js';
import type { AggregateStore } from '../../platform/store/store.js';

export type WarmupSourceName = Config['warmup']['sources'][number];

/** The exchanges' candle clients; a name without one is skipped with a warning. */
export const EXCHANGE_HISTORIES: Partial<Record<Exclude<WarmupSourceName, 'store'>, (config: Config) => CandleHistory>> = {};

/** The configured sources in order; `store` is undefined when the store could not be opened. */
export function warmupSources(config: Config, store: AggregateStore | undefined, logger: Logger): CandleHistory[] {
  const sources: CandleHistory[] = [];
  for (const name of config.warmup.sources) {
    if (name === 'store') {
      if (store) sources.push(new StoreCandleHistory(store));
      continue;
    }
    const make = EXCHANGE_HISTORIES[name];
    if (make) sources.push(make(config));
    else logger.warn({ source: name }, `warm start: the ${name} candle source is not available in this build; skipped`);
  }
  return sources;
}
