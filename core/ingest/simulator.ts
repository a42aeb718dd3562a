// A synthetic Bitcoin price: geometric Brownian motion whose volatility switches between regimes,
// with trade sizes. Pure and seeded: the same seed and times give the same series, and the state
// is plain JSON, so a simulation can be stopped and resumed.
import { nextNormal, nextUniform, type PrngState } from './prng.js';

export interface VolatilityRegime {
  readonly name: string;
  /** Annualised volatility of log-returns (0.6 = 60 % a year). */
  readonly volatility: number;
  /** Mean time spent in this regime before switching, in seconds of simulated time. */
  readonly meanSeconds: number;
  /** Multiplies trade sizes: busier markets trade more. */
  readonly volumeFactor: number;
}

export interface SimulatorOptions {
  readonly seed: number;
  readonly startPrice: number;
  readonly symbols: readonly string[];
  /** Simulated seconds between ticks. */
  readonly stepSeconds: number;
  /** Annualised drift of log-price; 0 keeps the median price flat. */
  readonly drift?: number;
  readonly regimes?: readonly VolatilityRegime[];
  /** Median trade size (BTC) in a regime whose volumeFactor is 1. */
  readonly medianVolume?: number;
  /** Half the bid-ask spread, as a fraction of the price. */
  readonly halfSpread?: number;
}

/** Bitcoin's realised volatility moves between quiet weeks and violent days. */
export const DEFAULT_REGIMES: readonly VolatilityRegime[] = [
  { name: 'calm', volatility: 0.35, meanSeconds: 3 * 3600, volumeFactor: 0.6 },
  { name: 'normal', volatility: 0.6, meanSeconds: 2 * 3600, volumeFactor: 1 },
  { name: 'stormy', volatility: 1.2, meanSeconds: 1800, volumeFactor: 2.5 },
];

export interface SimulatorState {
  rng: PrngState;
  /** Index into the regimes. */
  regime: number;
  /** Unrounded price per symbol. */
  prices: Record<string, number>;
  steps: number;
}

// A type alias, not an interface, so that it passes where a plain record is expected (SourceSink).
export type SimulatedTick = {
  readonly symbol: string;
  readonly price: number;
  readonly ts: number;
  readonly source: 'simulator';
  readonly volume: number;
  readonly bid: number;
  readonly ask: number;
};

const SECONDS_PER_YEAR = 365 * 86_400;
const VOLUME_SIGMA = 1;

export function initialSimulatorState(options: SimulatorOptions): SimulatorState {
  const regimes = options.regimes ?? DEFAULT_REGIMES;
  if (regimes.length === 0) throw new Error('simulator: at least one volatility regime is needed');
  if (!(options.startPrice > 0) || !Number.isFinite(options.startPrice)) throw new Error('simulator: startPrice must be above 0');
  if (!(options.stepSeconds > 0)) throw new Error('simulator: stepSeconds must be above 0');
  const prices: Record<string, number> = {};
  for (const symbol of options.symbols) prices[symbol] = options.startPrice;
  // Seed 0 is fine for mulberry32; mixing it keeps neighbouring seeds from starting alike.
  const rng = Math.imul((options.seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return { rng, regime: Math.min(1, regimes.length - 1), prices, steps: 0 };
}

/**
 * Advances every symbol by one step and returns the new state and one tick per symbol at `ts`.
 * Does not modify `state`.
 */
export function stepSimulator(
  state: SimulatorState,
  options: SimulatorOptions,
  ts: number,
): { state: SimulatorState; ticks: SimulatedTick[] } {
  const regimes = options.regimes ?? DEFAULT_REGIMES;
  const dt = options.stepSeconds / SECONDS_PER_YEAR;
  const drift = options.drift ?? 0;
  const medianVolume = options.medianVolume ?? 0.05;
  const halfSpread = options.halfSpread ?? 0.00005;
  let rng = state.rng;
  let regimeIndex = Math.min(state.regime, regimes.length - 1);

  // Regime switches are a Markov chain: leave with probability step/meanSeconds, to any other regime.
  const current = regimes[regimeIndex]!;
  if (regimes.length > 1) {
    const leave = nextUniform(rng);
    rng = leave.state;
    if (leave.value < Math.min(1, options.stepSeconds / current.meanSeconds)) {
      const pick = nextUniform(rng);
      rng = pick.state;
      const offset = 1 + Math.floor(pick.value * (regimes.length - 1));
      regimeIndex = (regimeIndex + offset) % regimes.length;
    }
  }
  const regime = regimes[regimeIndex]!;
  const sigma = regime.volatility;

  const prices: Record<string, number> = { ...state.prices };
  const ticks: SimulatedTick[] = [];
  for (const symbol of options.symbols) {
    const before = prices[symbol] ?? options.startPrice;
    const shock = nextNormal(rng);
    const size = nextNormal(shock.state);
    rng = size.state;
    const after = before * Math.exp((drift - (sigma * sigma) / 2) * dt + sigma * Math.sqrt(dt) * shock.value);
    prices[symbol] = after;
    const price = roundPrice(after);
    const volume = roundTo(medianVolume * regime.volumeFactor * Math.exp(VOLUME_SIGMA * size.value), 8);
    ticks.push({
      symbol,
      price,
      ts,
      source: 'simulator',
      volume,
      bid: roundPrice(after * (1 - halfSpread)),
      ask: roundPrice(after * (1 + halfSpread)),
    });
  }
  return { state: { rng, regime: regimeIndex, prices, steps: state.steps + 1 }, ticks };
}

/** Cents for prices of a dollar or more, eight decimals below (a price never rounds to 0). */
function roundPrice(value: number): number {
  return value >= 1 ? roundTo(value, 2) : roundTo(value, 8) || value;
}

function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
