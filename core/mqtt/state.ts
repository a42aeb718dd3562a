// The MQTT payloads of one symbol's state (retained, so a late subscriber gets the last value) and of
// a signal event (not retained: an event happens once). Numbers are plain decimal strings, as Home
// Assistant's sensors and Node-RED read them; a value still warming up is not published.
import type { StanceView } from '../contracts/index.js';
import { symbolTopic, type MqttLayout } from './topics.js';

export interface SignalFigures {
  readonly id: string;
  readonly side: 'buy' | 'sell';
  readonly ts: number;
  readonly price: number;
  readonly rule?: string | undefined;
  readonly reason?: string | undefined;
}

/** A price alert as an MQTT event: its direction, not a buy or a sell. */
export function alertEventMessage(layout: MqttLayout, symbol: string, alert: SignalFigures): MqttMessage {
  const { side, ...rest } = signalJson(alert);
  return {
    topic: symbolTopic(layout, symbol, 'event'),
    payload: JSON.stringify({ event_type: 'alert', direction: side === 'buy' ? 'up' : 'down', ...rest }),
    retain: false,
  };
}

export interface SymbolFigures {
  readonly symbol: string;
  readonly price: number | null;
  /** The first price of the UTC day, as the edge display counts it (docs/edge.md). */
  readonly dayOpen: number | null;
  readonly rsi: number | null;
  readonly sma: number | null;
  readonly ema: number | null;
  readonly signal: SignalFigures | null;
  /** The strategy's position, from the latest indicators record. */
  readonly stance: StanceView | null;
}

export interface MqttMessage {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

/** At most `decimals` decimals, no trailing zeros, no exponent for ordinary prices. */
export function formatFigure(value: number, decimals: number): string {
  const rounded = Number(value.toFixed(decimals));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

export function changePercent(price: number | null, dayOpen: number | null): number | null {
  if (price === null || dayOpen === null || dayOpen <= 0) return null;
  return ((price - dayOpen) / dayOpen) * 100;
}

function signalJson(signal: SignalFigures): Record<string, unknown> {
  return {
    side: signal.side,
    price: signal.price,
    ts: signal.ts,
    time: new Date(signal.ts).toISOString(),
    id: signal.id,
    ...(signal.rule !== undefined ? { rule: signal.rule } : {}),
    ...(signal.reason !== undefined ? { reason: signal.reason } : {}),
  };
}

/** Every known state value of a symbol, retained. */
export function symbolStateMessages(layout: MqttLayout, figures: SymbolFigures): MqttMessage[] {
  const messages: MqttMessage[] = [];
  const put = (leaf: 'price' | 'change' | 'rsi' | 'sma' | 'ema' | 'signal' | 'stance', payload: string | null) => {
    if (payload !== null) messages.push({ topic: symbolTopic(layout, figures.symbol, leaf), payload, retain: true });
  };
  put('price', figures.price === null ? null : String(figures.price));
  const change = changePercent(figures.price, figures.dayOpen);
  put('change', change === null ? null : formatFigure(change, 4));
  put('rsi', figures.rsi === null ? null : formatFigure(figures.rsi, 2));
  put('sma', figures.sma === null ? null : formatFigure(figures.sma, 6));
  put('ema', figures.ema === null ? null : formatFigure(figures.ema, 6));
  put('signal', figures.signal === null ? null : JSON.stringify(signalJson(figures.signal)));
  put('stance', figures.stance === null ? null : JSON.stringify(stanceJson(figures.stance)));
  return messages;
}

/** The stance sensor's state (`stance`) and attributes: when and at what price a long was entered (null when flat). */
function stanceJson(view: StanceView): Record<string, unknown> {
  return {
    stance: view.stance,
    strategy: view.strategy,
    since: view.since === null ? null : new Date(view.since).toISOString(),
    entry_price: view.entryPrice,
  };
}

/** One signal as the event entity and the device triggers read it: `event_type` is buy or sell. */
export function signalEventMessage(layout: MqttLayout, symbol: string, signal: SignalFigures): MqttMessage {
  const { side, ...rest } = signalJson(signal);
  return { topic: symbolTopic(layout, symbol, 'event'), payload: JSON.stringify({ event_type: side, ...rest }), retain: false };
}
