// One symbol's strategy: conditions read on candles, a stance (flat or long), and a recommendation
// only when the stance changes, so a symbol's recommendations always alternate buy, sell, buy ...
// Stop-loss and take-profit are checked on every tick: they protect money, so they do not wait for a close.
import type { Side, Signal, SignalKind, Stance, StanceView } from '../contracts/index.js';
import { buildRule } from '../rules/build-rule.js';
import type { GatedRule } from '../rules/gated-rule.js';
import { PRICE_SLOT, type RuleInput } from '../rules/rule.js';
import { signalId } from '../rules/signal-id.js';
import { stateArray, stateError, stateNumber, stateRecord } from '../rules/state-reader.js';
import type { ConditionConfig, StrategyConfig } from './strategy-config.js';
import type { TimeframeSeries } from './timeframe-series.js';

export interface StrategySnapshot {
  readonly kind: 'strategy';
  readonly name: string;
  readonly stance: Stance;
  readonly entryTs: number | null;
  readonly entryPrice: number | null;
  readonly conditions: readonly {
    readonly seenClosed: number;
    readonly evaluations: number;
    readonly firedCandle: number | null;
    readonly rule: unknown;
  }[];
}

class RunningCondition {
  readonly rule: GatedRule;
  readonly onForming: boolean;
  /** The series' closed-candle count when this condition last read it. */
  seenClosed = 0;
  /** Evaluations so far: the rules' `index` (candles on close, ticks on forming). */
  evaluations = 0;
  /** Forming: the start of the candle this condition last fired in (NaN: none). */
  firedCandle = Number.NaN;

  constructor(
    readonly config: ConditionConfig,
    readonly role: 'entry' | 'exit',
    readonly series: TimeframeSeries,
  ) {
    this.rule = buildRule(config);
    this.onForming = config.on === 'forming';
  }
}

export class Strategy {
  private readonly conditions: RunningCondition[];
  private stance: Stance = 'flat';
  private entryTs = Number.NaN;
  private entryPrice = Number.NaN;
  private readonly minHoldMs: number;
  private readonly input: RuleInput = { ts: 0, price: 0, slots: new Float64Array(PRICE_SLOT + 1) };

  constructor(
    readonly symbol: string,
    readonly config: StrategyConfig,
    series: ReadonlyMap<string, TimeframeSeries>,
  ) {
    const seriesOf = (condition: ConditionConfig) => series.get(condition.timeframe ?? config.timeframe)!;
    this.conditions = [
      ...config.entry.map((c) => new RunningCondition(c, 'entry', seriesOf(c))),
      ...config.exit.map((c) => new RunningCondition(c, 'exit', seriesOf(c))),
    ];
    this.minHoldMs = config.minHoldMinutes * 60_000;
  }

  view(): StanceView {
    const long = this.stance === 'long';
    return {
      strategy: this.config.name,
      stance: this.stance,
      since: long ? this.entryTs : null,
      entryPrice: long ? this.entryPrice : null,
    };
  }

  /**
   * Reads one tick (after the series took it): each condition whose candle closed (or, on forming,
   * every tick) is evaluated; what fires is a crossing; a change of stance is a recommendation.
   * Appends to `out` and returns it (most ticks append nothing).
   */
  step(ts: number, price: number, out: Signal[]): Signal[] {
    let entry: { condition: RunningCondition; reason: string } | undefined;
    let exit: { condition: RunningCondition; reason: string } | undefined;
    for (const condition of this.conditions) {
      const side = this.evaluate(condition, ts, price);
      if (side === null) continue;
      const reason = condition.rule.reason;
      out.push(this.signal('crossing', condition.config.name, side, ts, price, reason, condition));
      if (side === 'buy' && condition.role === 'entry') entry ??= { condition, reason };
      if (side === 'sell' && condition.role === 'exit') exit ??= { condition, reason };
    }
    if (this.stance === 'flat') {
      if (entry) {
        this.stance = 'long';
        this.entryTs = ts;
        this.entryPrice = price;
        out.push(
          this.signal(
            'recommendation',
            this.config.name,
            'buy',
            ts,
            price,
            `${entry.condition.config.name}: ${entry.reason}`,
            entry.condition,
          ),
        );
      }
      return out;
    }
    const protect = this.protection(price);
    const why = protect ?? (exit && ts - this.entryTs >= this.minHoldMs ? `${exit.condition.config.name}: ${exit.reason}` : undefined);
    if (why !== undefined) {
      this.stance = 'flat';
      this.entryTs = Number.NaN;
      this.entryPrice = Number.NaN;
      out.push(this.signal('recommendation', this.config.name, 'sell', ts, price, why, exit?.condition ?? this.conditions[0]!));
    }
    return out;
  }

  private evaluate(condition: RunningCondition, ts: number, price: number): Side | null {
    const series = condition.series;
    const input = this.input;
    input.ts = ts;
    if (condition.onForming) {
      input.price = price;
      input.slots.set(series.formingRawValues());
      input.slots[PRICE_SLOT] = price;
      const side = condition.rule.step(input, condition.evaluations++);
      const candle = series.candles.forming.start;
      // At most once per candle: the detector still sees every tick, so its crossings stay honest.
      if (side === null || candle === condition.firedCandle) return null;
      condition.firedCandle = candle;
      return side;
    }
    if (series.candles.closedCount === condition.seenClosed) return null;
    condition.seenClosed = series.candles.closedCount;
    input.price = series.candles.closed.close;
    input.slots.set(series.indicators.raw);
    input.slots[PRICE_SLOT] = input.price;
    return condition.rule.step(input, condition.evaluations++);
  }

  private protection(price: number): string | undefined {
    const { stopLossPercent, takeProfitPercent } = this.config;
    const change = (price / this.entryPrice - 1) * 100;
    if (stopLossPercent !== null && change <= -stopLossPercent)
      return `stop-loss: ${change.toFixed(2)} % from the entry at ${this.entryPrice}`;
    if (takeProfitPercent !== null && change >= takeProfitPercent)
      return `take-profit: +${change.toFixed(2)} % from the entry at ${this.entryPrice}`;
    return undefined;
  }

  private signal(
    kind: SignalKind,
    name: string,
    side: Side,
    ts: number,
    price: number,
    reason: string,
    condition: RunningCondition,
  ): Signal {
    const series = condition.series;
    return {
      id: signalId(this.symbol, ts, name, kind),
      symbol: this.symbol,
      ts,
      side,
      rule: name,
      price,
      reason,
      kind,
      timeframe: series.timeframe,
      indicators: condition.onForming ? series.formingValues() : series.closedValues(),
    };
  }

  snapshot(): StrategySnapshot {
    const long = this.stance === 'long';
    return {
      kind: 'strategy',
      name: this.config.name,
      stance: this.stance,
      entryTs: long ? this.entryTs : null,
      entryPrice: long ? this.entryPrice : null,
      conditions: this.conditions.map((c) => ({
        seenClosed: c.seenClosed,
        evaluations: c.evaluations,
        firedCandle: Number.isNaN(c.firedCandle) ? null : c.firedCandle,
        rule: c.rule.snapshot(),
      })),
    };
  }

  restore(snapshot: StrategySnapshot): void {
    const record = stateRecord(snapshot, 'strategy');
    if (record['kind'] !== 'strategy' || record['name'] !== this.config.name)
      throw stateError('strategy.name', `is not a snapshot of ${this.config.name}`);
    const stance = record['stance'];
    if (stance !== 'flat' && stance !== 'long') throw stateError('strategy.stance', 'must be "flat" or "long"');
    const states = stateArray(record['conditions'], 'strategy.conditions', this.conditions.length);
    this.conditions.forEach((condition, i) => {
      const saved = stateRecord(states[i], `strategy.conditions[${i}]`);
      condition.seenClosed = stateNumber(saved['seenClosed'], `strategy.conditions[${i}].seenClosed`);
      condition.evaluations = stateNumber(saved['evaluations'], `strategy.conditions[${i}].evaluations`);
      condition.firedCandle =
        saved['firedCandle'] === null ? Number.NaN : stateNumber(saved['firedCandle'], `strategy.conditions[${i}].firedCandle`);
      condition.rule.restore(saved['rule'], `strategy.conditions[${i}] (${condition.config.name})`);
    });
    this.stance = stance;
    this.entryTs = stance === 'long' ? stateNumber(record['entryTs'], 'strategy.entryTs') : Number.NaN;
    this.entryPrice = stance === 'long' ? stateNumber(record['entryPrice'], 'strategy.entryPrice') : Number.NaN;
  }
}
