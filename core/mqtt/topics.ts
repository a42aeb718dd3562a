// The MQTT topic layout of one appliance: every topic the bridge publishes or reads, from its base
// topic and Home Assistant's discovery prefix (docs/mqtt.md has the table).

export interface MqttLayout {
  /** Every state, event and command topic starts with this (default `stock-stream`). */
  readonly baseTopic: string;
  readonly discoveryPrefix: string;
  /** Device identifier, discovery node id and unique_id prefix: one per appliance. */
  readonly deviceId: string;
  readonly deviceName: string;
  readonly swVersion: string;
  /** Indicator periods, shown in the entities' names (`SMA 20`). */
  readonly periods: { readonly sma: number; readonly ema: number; readonly rsi: number };
  /** The candle timeframe of the indicator values (the strategy's), shown in the names too (`RSI 14 1h`). */
  readonly timeframe: string;
  /** The dashboard's address, the device's link in Home Assistant; unset: no link. */
  readonly configurationUrl?: string | undefined;
}

/** The per-symbol state topics (retained) and the signal event topic (not retained). */
export const SYMBOL_LEAVES = ['price', 'change', 'rsi', 'sma', 'ema', 'signal', 'stance', 'event'] as const;
export type SymbolLeaf = (typeof SYMBOL_LEAVES)[number];

export function symbolTopic(layout: MqttLayout, symbol: string, leaf: SymbolLeaf): string {
  return `${layout.baseTopic}/${symbol}/${leaf}`;
}

export function applianceTopics(layout: MqttLayout) {
  const base = layout.baseTopic;
  return {
    /** `online` / `offline`, retained; `offline` is also the last will. */
    availability: `${base}/status`,
    /** `ON` while the price feed is live (bus healthy, a tick within the stale time), else `OFF`; retained. */
    feed: `${base}/feed`,
    /** `muted` / `unmuted`, retained. */
    buzzer: `${base}/buzzer`,
    /** The display's daytime brightness in percent, retained. */
    brightness: `${base}/brightness`,
    /** Home Assistant's entity commands (no token), read with mqtt.commands.allowEntities: `ON`/`OFF`, 0-100, `PRESS`. */
    muteSet: `${base}/buzzer/set`,
    brightnessSet: `${base}/brightness/set`,
    acknowledgeSet: `${base}/acknowledge/set`,
    /** Commands in (JSON), when enabled. */
    command: `${base}/command`,
    /** The outcome of each command (JSON, not retained). */
    commandResult: `${base}/command/result`,
    /** Home Assistant's birth and last-will topic. */
    haStatus: `${layout.discoveryPrefix}/status`,
    /** Every discovery config of this appliance (they are retained: the broker keeps the record of what was published). */
    ownDiscovery: `${layout.discoveryPrefix}/+/${layout.deviceId}/+/config`,
  };
}

/** `BTC-USD` -> `btc_usd`, for object ids and unique_ids. */
export function symbolSlug(symbol: string): string {
  return symbol.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/** The quote currency of a pair (`BTC-USD` -> `USD`), the unit of its price. */
export function quoteCurrency(symbol: string): string {
  const dash = symbol.lastIndexOf('-');
  return dash < 0 ? symbol : symbol.slice(dash + 1);
}
