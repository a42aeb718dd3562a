// Bus messages for the aggregator tests: the good ones from an AggregateInput, and hostile ones for each topic.
import type { OutgoingMessage } from '../../platform/bus/bus.js';
import type { AggregateInput } from './aggregates.js';

export function tickMessages(input: AggregateInput): OutgoingMessage[] {
  return input.ticks.map((tick) => ({ key: tick.symbol, value: JSON.stringify(tick) }));
}

export function signalMessages(input: AggregateInput): OutgoingMessage[] {
  return input.signals.map((signal) => ({
    key: signal.symbol,
    value: JSON.stringify({ type: 'signal', ...signal, indicators: { rsi: 25 } }),
  }));
}

/** One indicator record per 50 ticks, as the processor would publish (fewer, to keep the tests quick). */
export function indicatorMessages(input: AggregateInput): OutgoingMessage[] {
  return input.ticks
    .filter((_, i) => i % 50 === 0)
    .map((tick) => ({
      key: tick.symbol,
      value: JSON.stringify({
        type: 'indicators',
        ts: tick.ts,
        symbol: tick.symbol,
        price: tick.price,
        sma: tick.price,
        ema: null,
        rsi: 50,
        macd: null,
        macdSignal: null,
        macdHist: null,
        bbUpper: null,
        bbMiddle: null,
        bbLower: null,
      }),
    }));
}

const TS = Date.UTC(2026, 0, 1, 21);
const future = Date.now() + 10 * 86_400_000;

/** Malformed or hostile messages for each topic; none may count, none may stop the aggregator. */
export function hostileMessages(): { ticks: OutgoingMessage[]; signals: OutgoingMessage[]; indicators: OutgoingMessage[] } {
  const common = (valid: Record<string, unknown>): OutgoingMessage[] => [
    { key: 'BTC-USD', value: 'not json {' },
    { key: 'BTC-USD', value: '' },
    { key: null, value: 'null' },
    { key: 'BTC-USD', value: '[1,2,3]' },
    { key: 'BTC-USD', value: JSON.stringify({ ...valid, price: -5 }) },
    { key: 'BTC-USD', value: JSON.stringify({ ...valid, price: '97000' }) },
    { key: 'BTC-USD', value: JSON.stringify(valid).replace(/"price":[0-9.]+/, '"price":1e999') }, // Infinity once parsed
    { key: 'BTC-USD', value: JSON.stringify({ ...valid, ts: future }) },
    { key: 'BTC-USD', value: JSON.stringify({ ...valid, ts: 1_700_000_000 }) }, // seconds, not ms
    { key: 'BTC-USD', value: JSON.stringify({ ...valid, symbol: 'bitcoin' }) },
    { key: 'BTC-USD', value: JSON.stringify({ ...valid, pad: 'x'.repeat(900_000) }).replace('"symbol"', '"sym"') }, // huge and wrong
  ];
  const tick = { symbol: 'BTC-USD', price: 97_000, ts: TS, source: 'test' };
  const signal = { type: 'signal', id: 'bad-signal', symbol: 'BTC-USD', ts: TS, side: 'buy', rule: 'r', price: 97_000, reason: 'x' };
  const record = { type: 'indicators', symbol: 'BTC-USD', ts: TS, price: 97_000, sma: 1, rsi: 50 };
  return {
    ticks: [
      ...common(tick),
      { key: 'ETH-USD', value: JSON.stringify(tick) },
      { key: 'BTC-USD', value: JSON.stringify({ ...tick, volume: -1 }) },
    ],
    signals: [
      ...common(signal),
      { key: 'BTC-USD', value: JSON.stringify({ ...signal, side: 'hold' }) },
      { key: 'BTC-USD', value: JSON.stringify({ ...signal, id: undefined }) },
    ],
    indicators: [
      ...common(record),
      { key: 'BTC-USD', value: JSON.stringify({ ...record, rsi: 'high' }) },
      { key: 'BTC-USD', value: JSON.stringify({ ...record, type: 'signal' }) },
    ],
  };
}
