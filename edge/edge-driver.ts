// The edge role: reads ticks, indicators and signals from the bus (its own reader group, from the
// latest message), keeps the display state and the alert state (both pure core), and drives the
// OLED and the LED/buzzer lines, or only the in-memory panel when there is no hardware.
import type { Role } from '../platform/role.js';
import type { Bus, BusMessage, Subscription } from '../platform/bus/bus.js';
import type { Logger } from '../platform/log.js';
import type { HealthStatus } from '../platform/health.js';
import { checkIndicatorRecord, checkSignal, checkTick, type IndicatorSnapshot } from '../core/contracts/index.js';
import { alertLevels, alertStep, INITIAL_ALERT_STATE, type AlertEvent, type AlertSettings, type AlertState } from '../core/edge/alerts.js';
import { renderDisplay, type DisplaySettings } from '../core/edge/display-controller.js';
import {
  applyIndicators,
  applySignal,
  applyTick,
  initialDisplayState,
  type DisplayState,
  type SymbolView,
} from '../core/edge/display-state.js';
import type { EdgeCommand } from '../core/mqtt/commands.js';
import type { SignalFigures } from '../core/mqtt/state.js';
import { contrastFromPercent } from './settings.js';
import type { AlertOutputs } from './alert-lines.js';
import type { FrameSink } from './oled.js';
import type { EdgeMetrics } from './metrics.js';
import type { EdgePanel } from './virtual-panel.js';

export interface EdgeClock {
  now(): number;
  /** Minutes after local midnight at `now`. */
  minuteOfDay(now: number): number;
}

export const SYSTEM_CLOCK: EdgeClock = {
  now: () => Date.now(),
  minuteOfDay: (now) => {
    const date = new Date(now);
    return date.getHours() * 60 + date.getMinutes();
  },
};

/** What a component of the role (the MQTT bridge) may ask of it. */
export interface EdgeControls {
  /** Applies a command to the alert state machine or the display; returns what happened. */
  command(command: EdgeCommand): string;
  /** Whether the buzzer is muted, and the daytime brightness in percent. */
  controls(): { readonly muted: boolean; readonly brightness: number };
  /** The bus is healthy and some followed symbol had a tick within the stale time. */
  feedLive(): boolean;
}

/** A message the role accepted for a followed symbol, with the symbol's display state after it. */
export type EdgeObservation =
  | { readonly type: 'tick'; readonly view: SymbolView }
  | { readonly type: 'indicators'; readonly view: SymbolView; readonly record: IndicatorSnapshot }
  | { readonly type: 'signal' | 'alert'; readonly view: SymbolView; readonly signal: SignalFigures; readonly event: AlertEvent };

/** An optional part of the role, started and stopped with it (the MQTT bridge when mqtt.url is set). */
export interface EdgeComponent {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): HealthStatus;
  observe(observation: EdgeObservation): void;
}

export interface EdgeDriverOptions {
  readonly bus: Bus;
  readonly logger: Logger;
  readonly topics: { readonly ticks: string; readonly indicators: string; readonly signals: string };
  readonly group: string;
  readonly symbols: readonly string[];
  readonly display: DisplaySettings;
  readonly alerts: AlertSettings;
  readonly panel: EdgePanel;
  readonly frameSink?: FrameSink | undefined;
  readonly outputs?: AlertOutputs | undefined;
  readonly metrics?: EdgeMetrics | undefined;
  readonly clock?: EdgeClock;
  /** LED and button period; the display renders every fifth. */
  readonly intervalMs?: number;
  /** Built with the role's controls, started after it and stopped before it. */
  readonly components?: readonly ((controls: EdgeControls) => EdgeComponent)[];
}

/** Larger bus values are refused before parsing: nothing the edge reads is this big. */
const MAX_VALUE_CHARS = 64 * 1024;

export class EdgeDriver implements Role, EdgeControls {
  private display: DisplayState;
  private alerts: AlertState = INITIAL_ALERT_STATE;
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private steps = 0;
  private lastHardwareError: string | undefined;
  private readonly clock: EdgeClock;
  /** Daytime brightness set by a command, percent; unset: the configured one. */
  private brightness: number | undefined;
  readonly components: readonly EdgeComponent[];

  constructor(private readonly options: EdgeDriverOptions) {
    this.display = initialDisplayState(options.symbols);
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.components = (options.components ?? []).map((build) => build(this));
  }

  async start(): Promise<void> {
    const { bus, topics, group } = this.options;
    await bus.ensureTopics([{ name: topics.ticks }, { name: topics.indicators }, { name: topics.signals }]);
    this.subscription = await bus.consume({
      topics: [topics.ticks, topics.indicators, topics.signals],
      group,
      from: 'latest',
      handler: async (batch) => this.handle(batch),
    });
    await this.step();
    this.timer = setInterval(() => {
      this.running ??= this.step().finally(() => (this.running = undefined));
    }, this.options.intervalMs ?? 50);
    for (const component of this.components) await component.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.subscription?.stop();
    await this.running;
    for (const component of this.components) {
      await component
        .stop()
        .catch((error: Error) =>
          this.options.logger.warn({ err: error.message, component: component.name }, 'stopping a component failed'),
        );
    }
    this.options.panel.setLeds({ buyLed: 0, sellLed: 0, buzzer: 0 });
    await this.options.outputs
      ?.close()
      .catch((error: Error) => this.options.logger.warn({ err: error.message }, 'releasing GPIO lines failed'));
    await this.options.frameSink
      ?.close()
      .catch((error: Error) => this.options.logger.warn({ err: error.message }, 'switching the OLED off failed'));
  }

  health(): HealthStatus {
    const sink = this.options.frameSink?.health();
    if (sink && !sink.ok) return sink;
    if (this.lastHardwareError) return { ok: false, detail: this.lastHardwareError };
    const mode = `display ${this.options.frameSink ? 'OLED' : 'virtual'}, LEDs ${this.options.outputs ? 'GPIO' : 'virtual'}`;
    return { ok: this.subscription !== undefined, detail: `${mode}; ${this.options.symbols.length} symbol(s)` };
  }

  /** Every message is checked; a malformed one is counted and logged, never thrown (that would redeliver it forever). */
  handle(batch: readonly BusMessage[]): void {
    const { topics, metrics, logger } = this.options;
    for (const message of batch) {
      const kind = message.topic === topics.ticks ? 'ticks' : message.topic === topics.indicators ? 'indicators' : 'signals';
      let result: 'shown' | 'ignored' | 'rejected';
      try {
        result = this.apply(kind, message);
      } catch (error) {
        result = 'rejected';
        logger.warn({ topic: message.topic, offset: message.offset, reason: (error as Error).message }, 'edge: malformed message skipped');
      }
      metrics?.messages.inc({ topic: kind, result });
    }
  }

  private apply(kind: 'ticks' | 'indicators' | 'signals', message: BusMessage): 'shown' | 'ignored' {
    if (message.value.length > MAX_VALUE_CHARS) throw new Error(`value of ${message.value.length} characters, over ${MAX_VALUE_CHARS}`);
    let value: unknown;
    try {
      value = JSON.parse(message.value);
    } catch {
      throw new Error('not JSON');
    }
    const now = this.clock.now();
    const followed = (symbol: string) => this.options.symbols.includes(symbol);
    if (kind === 'ticks') {
      const check = checkTick(value, now + 60_000);
      if (!check.ok) throw new Error(check.reason);
      if (!followed(check.tick.symbol)) return 'ignored';
      this.display = applyTick(this.display, check.tick, now);
      this.notify({ type: 'tick', view: this.view(check.tick.symbol) });
      return 'shown';
    }
    if (kind === 'indicators') {
      const check = checkIndicatorRecord(value, now + 60_000);
      if (!check.ok) throw new Error(check.reason);
      const record = check.value;
      if (!followed(record.symbol)) return 'ignored';
      this.display = applyIndicators(this.display, { symbol: record.symbol, rsi: record.rsi, timeframe: record.timeframe });
      this.notify({ type: 'indicators', view: this.view(record.symbol), record });
      return 'shown';
    }
    const check = checkSignal(value, now + 60_000);
    if (!check.ok) throw new Error(check.reason);
    const { id, symbol, side, ts, price, rule, reason, kind: signalKind } = check.value;
    // LEDs, the buzzer and MQTT events are for what people act on; a crossing changed no stance.
    if (!followed(symbol) || signalKind === 'crossing') return 'ignored';
    const signal = { id, symbol, side, ts, price };
    const priceAlert = signalKind === 'alert';
    // The OLED keeps showing the last recommendation; a price alert only blinks and chirps.
    if (!priceAlert) this.display = applySignal(this.display, signal, now);
    const step = alertStep(this.alerts, { type: 'signal', id, side, ts, now, ...(priceAlert ? { price: true } : {}) }, this.options.alerts);
    this.alerts = step.state;
    this.options.metrics?.alerts.inc({ side, event: step.event });
    if (step.event === 'alert') this.options.logger.info({ symbol, side, price }, `${side} signal: alerting`);
    this.notify({ type: priceAlert ? 'alert' : 'signal', view: this.view(symbol), signal: { ...signal, rule, reason }, event: step.event });
    return 'shown';
  }

  private view(symbol: string): SymbolView {
    // apply() only notifies for followed symbols, which the display state always holds.
    return this.display.symbols.find((view) => view.symbol === symbol)!;
  }

  /** A component's failure never reaches the bus handler (that would redeliver the message forever). */
  private notify(observation: EdgeObservation): void {
    for (const component of this.components) {
      try {
        component.observe(observation);
      } catch (error) {
        this.options.logger.warn({ component: component.name, err: (error as Error).message }, 'edge: a component failed on a message');
      }
    }
  }

  command(command: EdgeCommand): string {
    const now = this.clock.now();
    if (command.type === 'brightness') {
      this.brightness = Math.max(0, Math.min(100, command.percent));
      return `brightness ${this.brightness}%`;
    }
    const input =
      command.type === 'acknowledge' ? ({ type: 'button', now } as const) : ({ type: 'mute', muted: command.type === 'mute' } as const);
    const step = alertStep(this.alerts, input, this.options.alerts);
    this.alerts = step.state;
    this.options.logger.info({ command: command.type, event: step.event }, 'edge: command applied');
    return step.event;
  }

  controls(): { muted: boolean; brightness: number } {
    return { muted: this.alerts.muted === true, brightness: this.brightness ?? Math.round((this.options.display.contrast / 255) * 100) };
  }

  feedLive(): boolean {
    if (!this.options.bus.health().ok) return false;
    const now = this.clock.now();
    return this.display.symbols.some((view) => view.receivedAt !== null && now - view.receivedAt <= this.options.display.staleMs);
  }

  /** One turn of the loop: the button, the LED/buzzer levels, and every fifth turn a frame. */
  private async step(): Promise<void> {
    const { outputs, panel, frameSink, metrics } = this.options;
    const now = this.clock.now();
    const minute = this.clock.minuteOfDay(now);
    try {
      if (outputs && (await outputs.pollButton())) {
        const step = alertStep(this.alerts, { type: 'button', now }, this.options.alerts);
        this.alerts = step.state;
        this.options.logger.info({ event: step.event }, 'button pressed');
      }
      const levels = alertLevels(this.alerts, now, minute, this.options.alerts);
      panel.setLeds(levels);
      metrics?.leds.set({ line: 'buy' }, levels.buyLed);
      metrics?.leds.set({ line: 'sell' }, levels.sellLed);
      metrics?.leds.set({ line: 'buzzer' }, levels.buzzer);
      await outputs?.apply(levels);
      this.lastHardwareError = undefined;
    } catch (error) {
      this.lastHardwareError = `GPIO: ${(error as Error).message}`;
    }
    if (this.steps++ % 5 !== 0) return;
    const started = performance.now();
    const settings =
      this.brightness === undefined ? this.options.display : { ...this.options.display, contrast: contrastFromPercent(this.brightness) };
    const output = renderDisplay(this.display, this.options.bus.health().ok, { now, minuteOfDay: minute }, settings);
    metrics?.renderSeconds.observe((performance.now() - started) / 1000);
    panel.setFrame(output.frame, output.on, output.contrast, output.page);
    if (frameSink) {
      const counters = frameSink.counters();
      metrics?.i2cBytes.set(counters.bytes);
      metrics?.pagesSent.set(counters.pages);
      // Not awaited: the LEDs keep their rhythm while a frame is on the wire (the sink drops frames while busy).
      void frameSink.show(output.frame, { on: output.on, contrast: output.contrast }).catch((error: Error) => {
        this.lastHardwareError = `OLED: ${error.message}`;
      });
    }
  }

  /** The current display state (plain JSON), for tests and a future dashboard. */
  state(): DisplayState {
    return this.display;
  }
}
