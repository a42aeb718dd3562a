// Refuses a configuration whose processor state snapshot may outgrow one bus message, naming the key
// to change: the snapshot is published with every batch, and one the bus refuses fails its batch for good.
import type { z } from 'zod';
import type { AlertConfig } from '../../core/alerts/alert-config.js';
import type { CandleTimeframe } from '../../core/candles/timeframe.js';
import type { IndicatorPeriods } from '../../core/indicators/indicator-set.js';
import type { PipelineSettings } from '../../core/pipeline.js';
import { partitionEnvelopeBound, partitionSnapshotBound, symbolEntryBounds } from '../../core/snapshot-budget.js';
import type { StrategyConfig } from '../../core/strategy/strategy-config.js';
import { MAX_MESSAGE_BYTES } from '../bus/limits.js';

/** The parts of the configuration the processor's state depends on. */
export interface StateSizeConfig {
  readonly symbols: readonly string[];
  readonly topics: { readonly ticks: string };
  readonly indicators: IndicatorPeriods;
  readonly timeframes: readonly CandleTimeframe[];
  readonly strategy: StrategyConfig;
  readonly alerts: readonly AlertConfig[];
}

const megabytes = (bytes: number) => (bytes < 100_000 ? `${Math.ceil(bytes / 1000)} kB` : `${(bytes / 1_000_000).toFixed(1)} MB`);

/**
 * Adds an issue when every symbol's state in one partition (as the partitioner may well place them)
 * could exceed the bus's message limit. The bound is pessimistic (every number at its widest), which
 * is the margin.
 */
export function checkStateSize(config: StateSizeConfig, context: z.RefinementCtx, limit = MAX_MESSAGE_BYTES): void {
  const settings = (periods: IndicatorPeriods): PipelineSettings => ({
    periods,
    timeframes: config.timeframes,
    strategy: config.strategy,
    alerts: config.alerts,
  });
  const fits = (periods: IndicatorPeriods) => partitionSnapshotBound(config.symbols, settings(periods), config.topics.ticks) <= limit;
  const periods = config.indicators;
  if (fits(periods)) return;
  const limitText = `the bus's ${limit.toLocaleString('en-US')}-byte message limit`;
  const perSymbol = Math.max(...symbolEntryBounds([...new Set(config.symbols)], settings(periods)));
  const state = partitionSnapshotBound(config.symbols, settings(periods), config.topics.ticks);
  const one = [config.symbols[0]!];
  const oneFits = (p: IndicatorPeriods) => partitionSnapshotBound(one, settings(p), config.topics.ticks) <= limit;
  if (config.symbols.length > 1 && oneFits(periods)) {
    const shares = symbolEntryBounds([...new Set(config.symbols)], settings(periods));
    let most = 0;
    for (let used = partitionEnvelopeBound(config.topics.ticks); most < shares.length && used + shares[most]! <= limit; most++)
      used += shares[most]!;
    context.addIssue({
      code: 'custom',
      path: ['symbols'],
      message:
        `${config.symbols.length} symbols make the processor's state up to ${megabytes(state)} in one partition (${megabytes(perSymbol)} a symbol), ` +
        `over ${limitText}; follow at most ${most} with these indicators, timeframes and alerts, or shorten the periods`,
    });
    return;
  }
  // The ring buffers of SMA and Bollinger hold `period` numbers: the longer one is the one to shorten.
  const key = periods.sma >= periods.bollinger.period ? 'sma' : 'bollinger';
  const withPeriod = (n: number, both = false): IndicatorPeriods => ({
    ...periods,
    sma: key === 'sma' || both ? n : periods.sma,
    bollinger: { ...periods.bollinger, period: key === 'bollinger' || both ? n : periods.bollinger.period },
  });
  const path = key === 'sma' ? ['indicators', 'sma'] : ['indicators', 'bollinger', 'period'];
  const value = key === 'sma' ? periods.sma : periods.bollinger.period;
  const over = `makes the processor's state up to ${megabytes(state)} (${megabytes(perSymbol)} a symbol), over ${limitText}`;
  for (const both of [false, true]) {
    const largest = largestFitting(value, (n) => fits(withPeriod(n, both)));
    if (largest === undefined) continue;
    const which = both ? ' for both indicators.sma and indicators.bollinger.period' : '';
    context.addIssue({
      code: 'custom',
      path,
      message: `${value} ${over}; at most ${largest}${which} with these symbols, timeframes and alerts`,
    });
    return;
  }
  // Short periods and still too large: the alerts' rolling windows or the strategy's rules are.
  context.addIssue({
    code: 'custom',
    path: [config.alerts.length > 0 ? 'alerts' : 'timeframes'],
    message: `make the processor's state up to ${megabytes(state)} (${megabytes(perSymbol)} a symbol), over ${limitText}; follow fewer`,
  });
}

/** The largest n in 1..below that fits (fits is monotonic in n), or undefined when none does. */
function largestFitting(below: number, fits: (n: number) => boolean): number | undefined {
  if (!fits(1)) return undefined;
  let low = 1;
  let high = below;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle;
  }
  return low;
}
