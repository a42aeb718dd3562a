// Home Assistant MQTT discovery for one appliance, built from tables: one device, and per symbol
// the price, change, RSI, SMA, EMA, last-signal and stance sensors, a buy/sell/alert event entity
// and device triggers; for the device, a connectivity binary sensor for the price feed and, when
// entity commands are allowed, the mute switch, brightness number and acknowledge button. Pure data
// in, messages out; the bridge publishes them retained.
import { ENTITY_PAYLOADS } from './commands.js';
import { applianceTopics, quoteCurrency, symbolSlug, symbolTopic, type MqttLayout, type SymbolLeaf } from './topics.js';

export type DiscoveryComponent = 'sensor' | 'binary_sensor' | 'event' | 'device_automation' | 'switch' | 'number' | 'button';

export interface DiscoveryMessage {
  readonly component: DiscoveryComponent;
  /** `<prefix>/<component>/<deviceId>/<objectId>/config` */
  readonly topic: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** How each symbol's sensors look in Home Assistant. */
interface SensorSpec {
  readonly leaf: SymbolLeaf;
  readonly name: (symbol: string, layout: MqttLayout) => string;
  readonly icon: string;
  readonly fields: (symbol: string) => Readonly<Record<string, unknown>>;
  /** The state topic's JSON also feeds the entity's attributes. */
  readonly attributes?: boolean;
}

// The price has no device_class on purpose: `monetary` allows only state_class `total` (a running
// sum, such as a bill) or none, and without `measurement` Home Assistant keeps no long-term
// statistics (hourly mean/min/max) of it. A price is a sampled measurement in a currency unit, so it
// gets the currency as unit and state_class `measurement`, like the moving averages. docs/mqtt.md.
const SYMBOL_SENSORS: readonly SensorSpec[] = [
  {
    leaf: 'price',
    name: (symbol) => `${symbol} price`,
    icon: 'mdi:currency-usd',
    fields: (symbol) => ({ unit_of_measurement: quoteCurrency(symbol), state_class: 'measurement', suggested_display_precision: 2 }),
  },
  {
    leaf: 'change',
    name: (symbol) => `${symbol} change today`,
    icon: 'mdi:percent',
    fields: () => ({ unit_of_measurement: '%', state_class: 'measurement', suggested_display_precision: 2 }),
  },
  {
    leaf: 'rsi',
    name: (symbol, layout) => `${symbol} RSI ${layout.periods.rsi} ${layout.timeframe}`,
    icon: 'mdi:speedometer',
    fields: () => ({ state_class: 'measurement', suggested_display_precision: 1 }),
  },
  {
    leaf: 'sma',
    name: (symbol, layout) => `${symbol} SMA ${layout.periods.sma} ${layout.timeframe}`,
    icon: 'mdi:chart-bell-curve-cumulative',
    fields: (symbol) => ({ unit_of_measurement: quoteCurrency(symbol), state_class: 'measurement', suggested_display_precision: 2 }),
  },
  {
    leaf: 'ema',
    name: (symbol, layout) => `${symbol} EMA ${layout.periods.ema} ${layout.timeframe}`,
    icon: 'mdi:chart-bell-curve-cumulative',
    fields: (symbol) => ({ unit_of_measurement: quoteCurrency(symbol), state_class: 'measurement', suggested_display_precision: 2 }),
  },
  {
    // The last signal as a state (retained JSON); the `event` entity carries each signal as it happens.
    leaf: 'signal',
    name: (symbol) => `${symbol} last signal`,
    icon: 'mdi:swap-vertical-bold',
    fields: () => ({ device_class: 'enum', options: ['buy', 'sell'], value_template: '{{ value_json.side }}' }),
    attributes: true,
  },
  {
    // The strategy's position; since (ISO time) and entry_price (null when flat) as attributes.
    leaf: 'stance',
    name: (symbol) => `${symbol} stance`,
    icon: 'mdi:scale-balance',
    fields: () => ({ device_class: 'enum', options: ['flat', 'long'], value_template: '{{ value_json.stance }}' }),
    attributes: true,
  },
];

/** The appliance's controls as entities: each one's command topic goes to the same commands as `<base>/command`. */
interface ControlSpec {
  readonly component: 'switch' | 'number' | 'button';
  readonly objectId: string;
  readonly fields: (topics: ReturnType<typeof applianceTopics>) => Readonly<Record<string, unknown>>;
}

const CONTROLS: readonly ControlSpec[] = [
  {
    component: 'switch',
    objectId: 'mute',
    fields: (topics) => ({
      name: 'mute alerts',
      icon: 'mdi:volume-off',
      command_topic: topics.muteSet,
      payload_on: ENTITY_PAYLOADS.mute.on,
      payload_off: ENTITY_PAYLOADS.mute.off,
      // The retained buzzer state the bridge already publishes.
      state_topic: topics.buzzer,
      state_on: 'muted',
      state_off: 'unmuted',
    }),
  },
  {
    component: 'number',
    objectId: 'brightness',
    fields: (topics) => ({
      name: 'display brightness',
      icon: 'mdi:brightness-6',
      command_topic: topics.brightnessSet,
      state_topic: topics.brightness,
      min: 0,
      max: 100,
      step: 1,
      unit_of_measurement: '%',
      mode: 'slider',
      entity_category: 'config',
    }),
  },
  {
    component: 'button',
    objectId: 'acknowledge',
    fields: (topics) => ({
      name: 'acknowledge alert',
      icon: 'mdi:bell-check',
      command_topic: topics.acknowledgeSet,
      payload_press: ENTITY_PAYLOADS.press,
    }),
  },
];

export interface DiscoveryOptions {
  /** Expose the mute switch, brightness number and acknowledge button (mqtt.commands.allowEntities). */
  readonly controls?: boolean;
}

export const SIGNAL_SIDES = ['buy', 'sell'] as const;
/** The event entity's types: a recommendation's side, or a price alert. */
export const SIGNAL_EVENT_TYPES = [...SIGNAL_SIDES, 'alert'] as const;

export function discoveryMessages(layout: MqttLayout, symbols: readonly string[], options: DiscoveryOptions = {}): DiscoveryMessage[] {
  const topics = applianceTopics(layout);
  const device = {
    identifiers: [layout.deviceId],
    name: layout.deviceName,
    manufacturer: 'Stock Stream',
    model: 'Stock Stream edge appliance',
    sw_version: layout.swVersion,
    ...(layout.configurationUrl !== undefined ? { configuration_url: layout.configurationUrl } : {}),
  };
  const origin = { name: 'stock-stream', sw_version: layout.swVersion };
  const availability = { availability_topic: topics.availability, payload_available: 'online', payload_not_available: 'offline' };
  const message = (component: DiscoveryComponent, objectId: string, payload: Record<string, unknown>): DiscoveryMessage => ({
    component,
    topic: `${layout.discoveryPrefix}/${component}/${layout.deviceId}/${objectId}/config`,
    payload,
  });
  const entity = (objectId: string, fields: Record<string, unknown>) => ({
    unique_id: `${layout.deviceId}_${objectId}`,
    ...fields,
    ...availability,
    device,
    origin,
  });

  const messages: DiscoveryMessage[] = [
    message(
      'binary_sensor',
      'feed',
      entity('feed', {
        name: 'price feed',
        state_topic: topics.feed,
        device_class: 'connectivity',
        payload_on: 'ON',
        payload_off: 'OFF',
        entity_category: 'diagnostic',
      }),
    ),
  ];
  if (options.controls)
    for (const control of CONTROLS)
      messages.push(message(control.component, control.objectId, entity(control.objectId, { ...control.fields(topics) })));
  for (const symbol of symbols) {
    const slug = symbolSlug(symbol);
    for (const spec of SYMBOL_SENSORS) {
      const objectId = `${slug}_${spec.leaf}`;
      const stateTopic = symbolTopic(layout, symbol, spec.leaf);
      // The last-signal and stance sensors show one field and keep the rest of their JSON as attributes.
      const attributes = spec.attributes ? { json_attributes_topic: stateTopic } : {};
      messages.push(
        message(
          'sensor',
          objectId,
          entity(objectId, {
            name: spec.name(symbol, layout),
            state_topic: stateTopic,
            icon: spec.icon,
            ...spec.fields(symbol),
            ...attributes,
          }),
        ),
      );
    }
    const eventTopic = symbolTopic(layout, symbol, 'event');
    messages.push(
      message(
        'event',
        `${slug}_signal_event`,
        entity(`${slug}_signal_event`, {
          name: `${symbol} signal`,
          state_topic: eventTopic,
          event_types: [...SIGNAL_EVENT_TYPES],
          icon: 'mdi:bell-ring',
        }),
      ),
    );
    for (const side of SIGNAL_EVENT_TYPES) {
      // Device triggers take no availability and no unique_id; type + subtype is unique per device.
      messages.push(
        message('device_automation', `${slug}_${side}`, {
          automation_type: 'trigger',
          topic: eventTopic,
          type: side,
          subtype: symbol,
          value_template: '{{ value_json.event_type }}',
          payload: side,
          device,
        }),
      );
    }
  }
  return messages;
}

/** Whether `topic` is one of this appliance's discovery topics (matches `<prefix>/+/<deviceId>/+/config`). */
export function isOwnDiscoveryTopic(layout: MqttLayout, topic: string): boolean {
  const prefix = `${layout.discoveryPrefix}/`;
  if (!topic.startsWith(prefix)) return false;
  const parts = topic.slice(prefix.length).split('/');
  return parts.length === 4 && parts[1] === layout.deviceId && parts[3] === 'config';
}
