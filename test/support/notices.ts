// A well-formed signal as the notifier reads it, for notification tests.
import type { Notice } from '../../core/notify/notice.js';

export function notice(overrides: Partial<Notice> = {}): Notice {
  return {
    id: 'BTC-USD:1764200000000:rsi',
    symbol: 'BTC-USD',
    ts: Date.UTC(2026, 10, 27, 8, 15, 2),
    side: 'buy',
    rule: 'rsi',
    price: 97000.5,
    reason: 'RSI 28.4 crossed above 30',
    kind: 'recommendation',
    timeframe: '1h',
    indicators: {
      sma: 96950.25,
      ema: null,
      rsi: 28.4,
      macd: null,
      macdSignal: null,
      macdHist: null,
      bbUpper: null,
      bbMiddle: null,
      bbLower: null,
    },
    ...overrides,
  };
}
