// The active strategy in words, for people (the dashboard's Strategy view): what makes it buy, what
// makes it sell, and its protections, with the periods it reads. Plain sentences from the config.
import type { IndicatorPeriods } from '../indicators/indicator-set.js';
import type { RuleConfig, SeriesName } from '../rules/rule-config.js';
import type { CandleTimeframe } from '../candles/timeframe.js';
import type { ConditionConfig, StrategyConfig } from './strategy-config.js';

const TIMEFRAME_WORDS: Readonly<Record<CandleTimeframe, string>> = {
  '1m': '1-minute',
  '5m': '5-minute',
  '15m': '15-minute',
  '1h': '1-hour',
  '4h': '4-hour',
  '1d': '1-day',
};

/** One line per part of the strategy: its candles, each entry and exit condition, stop-loss, take-profit, minimum hold. */
export function describeStrategy(strategy: StrategyConfig, periods: IndicatorPeriods): string[] {
  const lines = [
    `${strategy.name} reads ${TIMEFRAME_WORDS[strategy.timeframe]} candles and holds one stance: flat (no position) or long (spot, no shorting).`,
  ];
  for (const condition of strategy.entry) lines.push(`Buy when flat: ${describeCondition(condition, 'buy', strategy.timeframe, periods)}.`);
  for (const condition of strategy.exit)
    lines.push(`Sell when long: ${describeCondition(condition, 'sell', strategy.timeframe, periods)}.`);
  if (strategy.stopLossPercent !== null)
    lines.push(`Stop-loss: sell when the price falls ${strategy.stopLossPercent} % below the entry price (checked on every tick).`);
  if (strategy.takeProfitPercent !== null)
    lines.push(`Take-profit: sell when the price rises ${strategy.takeProfitPercent} % above the entry price (checked on every tick).`);
  if (strategy.minHoldMinutes > 0)
    lines.push(`An exit condition is not acted on before the position is ${strategy.minHoldMinutes} minutes old (the stops are).`);
  if (strategy.exit.length === 0 && strategy.stopLossPercent === null && strategy.takeProfitPercent === null)
    lines.push('Nothing ever sells: no exit condition, no stop-loss, no take-profit.');
  return lines;
}

function describeCondition(condition: ConditionConfig, side: 'buy' | 'sell', main: CandleTimeframe, periods: IndicatorPeriods): string {
  const timeframe = condition.timeframe ?? main;
  const when =
    condition.on === 'forming'
      ? `on the forming ${TIMEFRAME_WORDS[timeframe]} candle (at most once per candle)`
      : `on a ${TIMEFRAME_WORDS[timeframe]} close`;
  return `${describeRule(condition, side, periods)} ${when}${extras(condition)} [${condition.name}]`;
}

function describeRule(rule: RuleConfig, side: 'buy' | 'sell', periods: IndicatorPeriods): string {
  switch (rule.type) {
    case 'rsi':
      return side === 'buy'
        ? `RSI ${periods.rsi} comes back above ${rule.oversold} after falling below ${rule.oversold - rule.hysteresis}`
        : `RSI ${periods.rsi} comes back below ${rule.overbought} after rising above ${rule.overbought + rule.hysteresis}`;
    case 'ma-crossover':
      return `${series(rule.fast, periods)} crosses ${side === 'buy' ? 'above' : 'below'} ${series(rule.slow, periods)}${gap(rule.hysteresis)}`;
    case 'macd-cross':
      return `the MACD line (${periods.macd.fast}, ${periods.macd.slow}) crosses ${side === 'buy' ? 'above' : 'below'} its signal line (${periods.macd.signal})${gap(rule.hysteresis)}`;
    case 'bollinger': {
      const bands = `Bollinger band (${periods.bollinger.period} candles, ${periods.bollinger.stdDev} standard deviations)`;
      const by = gap(rule.hysteresis);
      if (rule.mode === 'reversion')
        return side === 'buy' ? `the price comes back above the lower ${bands}${by}` : `the price comes back below the upper ${bands}${by}`;
      return side === 'buy'
        ? `the price breaks up through the upper ${bands}${by}`
        : `the price breaks down through the lower ${bands}${by}`;
    }
    case 'all-of':
    case 'any-of': {
      const parts = rule.rules.map((child) => describeRule(child, side, periods));
      return `${rule.type === 'all-of' ? 'all' : 'any'} of (${parts.join('; ')}) within ${rule.window} ticks`;
    }
  }
}

function series(name: SeriesName, periods: IndicatorPeriods): string {
  switch (name) {
    case 'price':
      return 'the price';
    case 'sma':
      return `SMA ${periods.sma}`;
    case 'ema':
      return `EMA ${periods.ema}`;
    case 'bbMiddle':
      return `the middle Bollinger band (${periods.bollinger.period})`;
  }
}

function gap(hysteresis: number): string {
  return hysteresis > 0 ? ` (by more than ${+(hysteresis * 100).toPrecision(6)} % of the price)` : '';
}

function extras(rule: RuleConfig): string {
  const parts: string[] = [];
  if (rule.confirmTicks > 1) parts.push(`held for ${rule.confirmTicks} ticks`);
  if (rule.cooldownMs > 0) parts.push(`then quiet for ${duration(rule.cooldownMs)}`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
