// The simulator source: the pure GBM simulation (core/ingest/simulator.ts) ticking on a timer.
import { initialSimulatorState, stepSimulator, type SimulatorOptions, type SimulatorState } from '../../../core/ingest/simulator.js';
import { sleep } from '../../../platform/retry.js';
import type { PriceSource, SourceDeps, SourceSink, SourceStatus } from '../source.js';

export interface SimulatorSourceOptions {
  readonly seed: number;
  readonly startPrice: number;
  /** Seconds between ticks (MESSAGE_INTERVAL); 1 by default. */
  readonly intervalSeconds?: number | undefined;
  /** Stop after this many steps (tests); unbounded by default. */
  readonly maxSteps?: number;
}

export class SimulatorSource implements PriceSource {
  readonly name = 'simulator';
  private readonly options: SimulatorOptions;
  private readonly intervalMs: number;
  private state: SimulatorState;
  private lastMessageAt = 0;

  constructor(
    private readonly settings: SimulatorSourceOptions,
    private readonly deps: SourceDeps,
  ) {
    const intervalSeconds = settings.intervalSeconds ?? 1;
    this.intervalMs = intervalSeconds * 1000;
    this.options = { seed: settings.seed, startPrice: settings.startPrice, symbols: deps.symbols, stepSeconds: intervalSeconds };
    this.state = initialSimulatorState(this.options);
  }

  async run(sink: SourceSink, signal: AbortSignal): Promise<void> {
    const now = this.deps.now ?? Date.now;
    this.deps.logger.info(
      { seed: this.settings.seed, intervalMs: this.intervalMs, symbols: this.deps.symbols },
      'simulator: simulated prices, not market data',
    );
    // Ticks are scheduled against the start time, so slow sinks do not make the series drift.
    const start = now();
    for (let step = 0; !signal.aborted && (this.settings.maxSteps === undefined || step < this.settings.maxSteps); step++) {
      const due = start + step * this.intervalMs;
      const wait = due - now();
      if (wait > 0) await sleep(wait, signal);
      if (signal.aborted) break;
      const ts = Math.round(now());
      const { state, ticks } = stepSimulator(this.state, this.options, ts);
      this.state = state;
      this.lastMessageAt = ts;
      for (const tick of ticks) await sink.observe(tick, JSON.stringify(tick));
    }
  }

  status(): SourceStatus {
    return { ok: true, detail: 'simulated prices', lastMessageAt: this.lastMessageAt, simulated: true };
  }
}
