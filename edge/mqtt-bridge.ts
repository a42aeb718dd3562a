// The MQTT bridge of the edge role: each followed symbol's price, change, RSI, SMA/EMA, last signal
// and stance as retained state (throttled: core/mqtt/throttle.ts), each signal as an event, Home
// Assistant discovery with availability, and commands (mute, unmute, acknowledge, brightness, from
// the JSON command topic or Home Assistant's entities) into the role's alert state machine and display.
import mqtt, { type MqttClient } from 'mqtt';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from '../platform/config/schema.js';
import type { Logger } from '../platform/log.js';
import type { HealthStatus } from '../platform/health.js';
import { safeUrl } from '../platform/safe-url.js';
import {
  parseCommand,
  parseEntityCommand,
  REFUSAL_ANSWER_INTERVAL_MS,
  RefusalAnswers,
  type CommandCheck,
  type EntityCommandSource,
} from '../core/mqtt/commands.js';
import { discoveryMessages, isOwnDiscoveryTopic, type DiscoveryMessage } from '../core/mqtt/discovery.js';
import { alertEventMessage, signalEventMessage, symbolStateMessages, type MqttMessage, type SymbolFigures } from '../core/mqtt/state.js';
import { StateThrottle } from '../core/mqtt/throttle.js';
import { applianceTopics, type MqttLayout } from '../core/mqtt/topics.js';
import type { StanceView } from '../core/contracts/index.js';
import type { EdgeComponent, EdgeControls, EdgeObservation } from './edge-driver.js';
import { mqttClientOptions } from './mqtt-connection.js';

export interface MqttBridgeOptions {
  readonly config: Config['mqtt'] & { readonly url: string };
  readonly layout: MqttLayout;
  readonly symbols: readonly string[];
  readonly controls: EdgeControls;
  readonly logger: Logger;
  readonly registry?: Registry | undefined;
  /** How often the feed, buzzer and brightness topics are refreshed (only changes are sent). */
  readonly statusIntervalMs?: number;
  /** At most one answer (and one log line) per this many ms to refused commands; the rest are counted. */
  readonly refusalAnswerIntervalMs?: number;
  readonly now?: () => number;
}

/** What a caller (a test) may tune in the bridge that the configuration does not set. */
export type BridgeTuning = Pick<MqttBridgeOptions, 'statusIntervalMs' | 'refusalAnswerIntervalMs'>;

/** Signal events kept while the broker is unreachable, sent on reconnect; older ones are dropped first. */
export const MAX_PENDING_EVENTS = 32;

interface BridgeMetrics {
  readonly published: Counter<'kind'>;
  readonly commands: Counter<'result'>;
  readonly answersSkipped: Counter;
  readonly eventsDropped: Counter;
  readonly connected: Gauge;
}

function bridgeMetrics(registry: Registry | undefined): BridgeMetrics {
  const registers = registry ? [registry] : [];
  return {
    published: new Counter({
      name: 'stock_stream_mqtt_published_total',
      help: 'MQTT messages published, by kind',
      labelNames: ['kind'],
      registers,
    }),
    commands: new Counter({
      name: 'stock_stream_mqtt_commands_total',
      help: 'MQTT commands by result: applied, oversized, malformed, unauthorised, unknown',
      labelNames: ['result'],
      registers,
    }),
    answersSkipped: new Counter({
      name: 'stock_stream_mqtt_command_answers_skipped_total',
      help: 'Refused MQTT commands left unanswered (and unlogged) by the limit of one answer per interval',
      registers,
    }),
    eventsDropped: new Counter({
      name: 'stock_stream_mqtt_events_dropped_total',
      help: 'Signal events dropped while the broker was unreachable',
      registers,
    }),
    connected: new Gauge({ name: 'stock_stream_mqtt_connected', help: '1 while connected to the MQTT broker', registers }),
  };
}

export class MqttBridge implements EdgeComponent {
  readonly name = 'mqtt';
  private client: MqttClient | undefined;
  private readonly topics: ReturnType<typeof applianceTopics>;
  private readonly discovery: readonly DiscoveryMessage[];
  private readonly discoveryTopics: ReadonlySet<string>;
  private readonly figures = new Map<string, SymbolFigures>();
  /** The payload last sent on each retained topic during this connection: unchanged values are not sent again. */
  private readonly sent = new Map<string, string>();
  private pendingEvents: MqttMessage[] = [];
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private lastError: string | undefined;
  private readonly metrics: BridgeMetrics;
  private readonly refusalAnswers: RefusalAnswers;
  private readonly now: () => number;
  private readonly throttle: StateThrottle;
  /** Per symbol, the timer that publishes its held state when the throttle interval ends. */
  private readonly flushTimers = new Map<string, NodeJS.Timeout>();
  /** Mute, brightness and acknowledge as Home Assistant entities, their command topics read. */
  private readonly entityCommands: boolean;
  private readonly entityTopics: ReadonlyMap<string, EntityCommandSource>;

  constructor(private readonly options: MqttBridgeOptions) {
    this.refusalAnswers = new RefusalAnswers(options.refusalAnswerIntervalMs ?? REFUSAL_ANSWER_INTERVAL_MS);
    this.now = options.now ?? Date.now;
    this.topics = applianceTopics(options.layout);
    const { commands } = options.config;
    this.entityCommands = commands.enabled && commands.allowEntities;
    this.entityTopics = new Map<string, EntityCommandSource>(
      this.entityCommands
        ? [
            [this.topics.muteSet, 'mute'],
            [this.topics.brightnessSet, 'brightness'],
            [this.topics.acknowledgeSet, 'acknowledge'],
          ]
        : [],
    );
    this.throttle = new StateThrottle({
      intervalMs: options.config.throttleSeconds * 1000,
      moveFraction: options.config.throttleMoveFraction,
    });
    this.discovery = options.config.discovery ? discoveryMessages(options.layout, options.symbols, { controls: this.entityCommands }) : [];
    this.discoveryTopics = new Set(this.discovery.map((message) => message.topic));
    this.metrics = bridgeMetrics(options.registry);
    for (const symbol of options.symbols)
      this.figures.set(symbol, { symbol, price: null, dayOpen: null, rsi: null, sma: null, ema: null, signal: null, stance: null });
  }

  /** Returns at once: the broker may be down at start; the bridge keeps trying with backoff. */
  async start(): Promise<void> {
    const { config, logger } = this.options;
    if (config.commands.enabled && config.commands.token === undefined) {
      logger.warn(
        { topic: this.topics.command },
        'mqtt: commands are enabled without a token: anyone who can publish on the broker can mute the alerts (set mqtt.commands.token)',
      );
    }
    if (this.entityCommands) {
      logger.warn(
        { topics: [...this.entityTopics.keys()] },
        "mqtt: Home Assistant's entity commands carry no token: only the broker's ACL keeps others from muting the alerts",
      );
    }
    const clientOptions = mqttClientOptions(config, { topic: this.topics.availability, payload: 'offline' });
    const client = mqtt.connect(config.url, clientOptions);
    this.client = client;
    client.on('connect', () => void this.connected());
    client.on('close', () => this.closed());
    client.on('error', (error) => {
      if (error.message !== this.lastError) logger.warn({ broker: safeUrl(config.url), err: error.message }, 'mqtt: connection error');
      this.lastError = error.message;
    });
    client.on('message', (topic, payload) => this.received(topic, payload));
    this.statusTimer = setInterval(() => this.publishStatus(), this.options.statusIntervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.statusTimer);
    clearTimeout(this.reconnectTimer);
    for (const timer of this.flushTimers.values()) clearTimeout(timer);
    this.flushTimers.clear();
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      // A clean disconnect does not fire the last will: say offline ourselves, then wait for the ack.
      await withTimeout(client.publishAsync(this.topics.availability, 'offline', { qos: 1, retain: true }), 2000).catch(() => {});
      await withTimeout(client.endAsync(), 2000).catch(() => client.end(true));
    } else {
      client.end(true);
    }
    this.metrics.connected.set(0);
  }

  health(): HealthStatus {
    const broker = safeUrl(this.options.config.url);
    if (this.client?.connected) return { ok: true, detail: `connected to ${broker} as ${this.options.layout.baseTopic}` };
    return { ok: false, detail: `not connected to ${broker}${this.lastError ? `: ${this.lastError}` : ''}` };
  }

  observe(observation: EdgeObservation): void {
    const { view } = observation;
    const current = this.figures.get(view.symbol);
    if (!current) return;
    let next: SymbolFigures = { ...current, price: view.price, dayOpen: view.dayOpen, rsi: view.rsi };
    // A recommendation, an alert or a new stance is never held back by the throttle.
    let urgent = observation.type === 'signal' || observation.type === 'alert';
    if (observation.type === 'indicators') {
      const { record } = observation;
      const stance = record.stance ?? current.stance;
      urgent = !sameStance(current.stance, stance);
      next = { ...next, sma: finiteOrNull(record.sma), ema: finiteOrNull(record.ema), stance };
    } else if (observation.type === 'alert') {
      if (observation.event !== 'duplicate' && observation.event !== 'late')
        this.publishEvent(alertEventMessage(this.options.layout, view.symbol, observation.signal));
    } else if (observation.type === 'signal') {
      const { signal, event } = observation;
      if (current.signal === null || signal.ts >= current.signal.ts) next = { ...next, signal };
      // A redelivered or stale signal (the edge does not alert for it either) fires no event.
      if (event !== 'duplicate' && event !== 'late') this.publishEvent(signalEventMessage(this.options.layout, view.symbol, signal));
    }
    this.figures.set(view.symbol, next);
    const decision = this.throttle.offer(view.symbol, { now: this.now(), price: next.price, urgent });
    if (decision.publish) {
      clearTimeout(this.flushTimers.get(view.symbol));
      this.flushTimers.delete(view.symbol);
      this.publishState(symbolStateMessages(this.options.layout, next));
    } else if (!this.flushTimers.has(view.symbol)) {
      // The latest value goes out when the interval ends: the end of a burst is never lost.
      const timer = setTimeout(() => this.flush(view.symbol), Math.max(0, decision.dueAt - this.now()));
      this.flushTimers.set(view.symbol, timer);
    }
  }

  /** Publishes a symbol's held state at the end of its throttle interval. */
  private flush(symbol: string): void {
    this.flushTimers.delete(symbol);
    const figures = this.figures.get(symbol);
    if (this.stopping || !figures) return;
    this.throttle.published(symbol, this.now(), figures.price);
    this.publishState(symbolStateMessages(this.options.layout, figures));
  }

  private async connected(): Promise<void> {
    const client = this.client!;
    this.attempts = 0;
    this.lastError = undefined;
    this.metrics.connected.set(1);
    this.options.logger.info({ broker: safeUrl(this.options.config.url), baseTopic: this.options.layout.baseTopic }, 'mqtt: connected');
    const subscriptions = [
      this.topics.haStatus,
      this.topics.ownDiscovery,
      ...(this.options.config.commands.enabled ? [this.topics.command] : []),
      ...this.entityTopics.keys(),
    ];
    try {
      await client.subscribeAsync(subscriptions, { qos: 1 });
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, 'mqtt: subscribing failed');
    }
    this.publishAll();
    const pending = this.pendingEvents;
    this.pendingEvents = [];
    for (const event of pending) this.publishEvent(event);
  }

  private closed(): void {
    this.metrics.connected.set(0);
    if (this.stopping) return;
    clearTimeout(this.reconnectTimer);
    const ceiling = this.options.config.reconnectMaxSeconds * 1000;
    // Doubling from 1 s with jitter, so that appliances restarted together do not knock together.
    const delay = Math.min(ceiling, 1000 * 2 ** Math.min(this.attempts, 16)) * (0.5 + Math.random() / 2);
    this.attempts += 1;
    if (this.attempts === 1)
      this.options.logger.warn(
        { broker: safeUrl(this.options.config.url), err: this.lastError },
        'mqtt: disconnected; reconnecting with backoff',
      );
    this.reconnectTimer = setTimeout(() => {
      if (!this.stopping) this.client?.reconnect();
    }, delay);
  }

  /** Availability, discovery and every state value: on connect and when Home Assistant comes online. */
  private publishAll(): void {
    this.sent.clear();
    this.send({ topic: this.topics.availability, payload: 'online', retain: true }, 'availability', 1);
    for (const message of this.discovery)
      this.send({ topic: message.topic, payload: JSON.stringify(message.payload), retain: true }, 'discovery', 1);
    this.publishStatus();
    for (const figures of this.figures.values()) this.publishState(symbolStateMessages(this.options.layout, figures));
  }

  private publishStatus(): void {
    const { controls } = this.options;
    const { muted, brightness } = controls.controls();
    this.publishState([
      { topic: this.topics.feed, payload: controls.feedLive() ? 'ON' : 'OFF', retain: true },
      { topic: this.topics.buzzer, payload: muted ? 'muted' : 'unmuted', retain: true },
      { topic: this.topics.brightness, payload: String(brightness), retain: true },
    ]);
  }

  private publishState(messages: readonly MqttMessage[]): void {
    for (const message of messages) {
      if (this.sent.get(message.topic) === message.payload) continue;
      if (this.send(message, 'state', 0)) this.sent.set(message.topic, message.payload);
    }
  }

  private publishEvent(event: MqttMessage): void {
    if (this.send(event, 'event', 1)) return;
    this.pendingEvents.push(event);
    if (this.pendingEvents.length > MAX_PENDING_EVENTS) {
      this.pendingEvents.shift();
      this.metrics.eventsDropped.inc();
    }
  }

  /** Sends only on a live connection; false when there is none (nothing is queued in mqtt.js). */
  private send(message: MqttMessage, kind: string, qos: 0 | 1): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    client.publish(message.topic, message.payload, { qos, retain: message.retain }, (error) => {
      if (error) this.options.logger.warn({ topic: message.topic, err: error.message }, 'mqtt: publish failed');
    });
    this.metrics.published.inc({ kind });
    return true;
  }

  private received(topic: string, payload: Buffer): void {
    if (topic === this.topics.haStatus) {
      if (payload.toString() === 'online') {
        this.options.logger.info('mqtt: Home Assistant is online; publishing discovery and state again');
        this.publishAll();
      }
      return;
    }
    if (topic === this.topics.command) {
      this.command(topic, payload.length, parseCommand(payload.toString('utf8'), payload.length, this.options.config.commands.token));
      return;
    }
    const source = this.entityTopics.get(topic);
    if (source !== undefined) {
      // No token: Home Assistant's entities cannot send one (mqtt.commands.allowEntities, docs/mqtt.md).
      this.command(topic, payload.length, parseEntityCommand(source, payload.toString('utf8'), payload.length));
      return;
    }
    // A retained discovery config of ours that this configuration no longer exposes (a symbol
    // removed, discovery switched off): an empty retained config removes it from Home Assistant.
    if (isOwnDiscoveryTopic(this.options.layout, topic) && payload.length > 0 && !this.discoveryTopics.has(topic)) {
      this.options.logger.info({ topic }, 'mqtt: removing an entity no longer exposed');
      this.send({ topic, payload: '', retain: true }, 'discovery-removal', 1);
    }
  }

  private command(topic: string, bytes: number, check: CommandCheck): void {
    if (!check.ok) {
      this.metrics.commands.inc({ result: check.code });
      const { answer, skipped } = this.refusalAnswers.take(topic, this.now());
      if (!answer) {
        this.metrics.answersSkipped.inc();
        return;
      }
      this.options.logger.warn(
        { topic, code: check.code, reason: check.reason, bytes, ...(skipped > 0 ? { unansweredBefore: skipped } : {}) },
        'mqtt: command ignored',
      );
      this.send(
        {
          topic: this.topics.commandResult,
          payload: JSON.stringify({ ok: false, error: check.code, reason: check.reason }),
          retain: false,
        },
        'command-result',
        0,
      );
      return;
    }
    const outcome = this.options.controls.command(check.command);
    this.metrics.commands.inc({ result: 'applied' });
    this.send(
      {
        topic: this.topics.commandResult,
        payload: JSON.stringify({ ok: true, command: check.command.type, result: outcome }),
        retain: false,
      },
      'command-result',
      0,
    );
    this.publishStatus();
  }
}

function sameStance(a: StanceView | null, b: StanceView | null): boolean {
  return a?.stance === b?.stance && a?.since === b?.since && a?.strategy === b?.strategy;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The bridge as a component of the edge role, or nothing when mqtt.url is unset. */
export function mqttComponent(
  config: Config,
  logger: Logger,
  registry: Registry | undefined,
  swVersion: string,
  tuning: BridgeTuning = {},
): ((controls: EdgeControls) => EdgeComponent) | undefined {
  const { mqtt: settings } = config;
  const url = settings.url;
  if (url === undefined) return undefined;
  const layout: MqttLayout = {
    baseTopic: settings.baseTopic,
    discoveryPrefix: settings.discoveryPrefix,
    deviceId: settings.deviceId,
    deviceName: settings.deviceName,
    swVersion,
    periods: { sma: config.indicators.sma, ema: config.indicators.ema, rsi: config.indicators.rsi },
    timeframe: config.strategy.timeframe,
    configurationUrl: settings.configurationUrl,
  };
  return (controls) =>
    new MqttBridge({
      config: { ...settings, url },
      layout,
      symbols: config.symbols,
      controls,
      logger: logger.child({ component: 'mqtt' }),
      registry,
      ...tuning,
    });
}
