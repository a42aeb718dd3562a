// A hypothetical account that follows the signals (all in on buy, all out on sell, fee per trade),
// against buying at the first price and holding. Pure and incremental: one call per tick or signal.

export interface BacktestState {
  readonly feeRate: number;
  cash: number;
  units: number;
  trades: number;
  firstPrice: number | null;
  lastPrice: number | null;
}

export interface BacktestSummary {
  readonly trades: number;
  readonly feeRate: number;
  /** Final value over starting value, minus 1. */
  readonly strategyReturn: number;
  readonly buyAndHoldReturn: number;
  readonly holding: boolean;
}

/** `feeRate` is a fraction of each trade's value, e.g. 0.001 for 0.1 %. */
export function startBacktest(feeRate: number): BacktestState {
  if (!Number.isFinite(feeRate) || feeRate < 0 || feeRate >= 1) throw new RangeError('fee must be a fraction from 0 to below 1');
  return { feeRate, cash: 1, units: 0, trades: 0, firstPrice: null, lastPrice: null };
}

export function observePrice(state: BacktestState, price: number): void {
  if (state.firstPrice === null) state.firstPrice = price;
  state.lastPrice = price;
}

export function followSignal(state: BacktestState, side: 'buy' | 'sell', price: number): void {
  if (side === 'buy' && state.cash > 0) {
    state.units = (state.cash * (1 - state.feeRate)) / price;
    state.cash = 0;
    state.trades++;
  } else if (side === 'sell' && state.units > 0) {
    state.cash = state.units * price * (1 - state.feeRate);
    state.units = 0;
    state.trades++;
  }
}

export function summarize(state: BacktestState): BacktestSummary {
  const last = state.lastPrice ?? 0;
  const first = state.firstPrice ?? 0;
  return {
    trades: state.trades,
    feeRate: state.feeRate,
    strategyReturn: state.cash + state.units * last - 1,
    // Bought once with the fee; not sold, so no second fee (the strategy's open position pays none either).
    buyAndHoldReturn: first > 0 ? ((1 - state.feeRate) * last) / first - 1 : 0,
    holding: state.units > 0,
  };
}
