// Discovery payloads against Home Assistant's documented rules (test/support/ha-discovery-rules.ts),
// the topic layout, and the state and event payloads the entities read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { discoveryMessages, isOwnDiscoveryTopic } from '../../../core/mqtt/discovery.js';
import { changePercent, formatFigure, signalEventMessage, symbolStateMessages } from '../../../core/mqtt/state.js';
import { applianceTopics, quoteCurrency, symbolSlug, type MqttLayout } from '../../../core/mqtt/topics.js';
import { discoveryProblems, discoveryTopicProblem } from '../../support/ha-discovery-rules.js';

const layout: MqttLayout = {
  baseTopic: 'stock-stream',
  discoveryPrefix: 'homeassistant',
  deviceId: 'pi-kitchen',
  deviceName: 'Kitchen ticker',
  swVersion: '1.2.3',
  periods: { sma: 20, ema: 12, rsi: 14 },
  timeframe: '1h',
};

test('every discovery payload follows the documented rules of its component', () => {
  const messages = [
    ...discoveryMessages(layout, ['BTC-USD', 'ETH-EUR']),
    ...discoveryMessages({ ...layout, configurationUrl: 'http://pi-kitchen.local:8080/' }, ['BTC-USD'], { controls: true }),
  ];
  assert.ok(['switch', 'number', 'button'].every((component) => messages.some((message) => message.component === component)));
  for (const message of messages) {
    assert.is(discoveryTopicProblem(message.topic, 'homeassistant', message.component), undefined);
    assert.equal(discoveryProblems(message.component, message.payload as Record<string, unknown>), [], message.topic);
  }
  // The rules are not vacuous: a monetary price with state_class measurement is refused, as HA does.
  assert.equal(discoveryProblems('sensor', { state_topic: 't', device_class: 'monetary', state_class: 'measurement' }), [
    'device_class monetary forbids state_class measurement',
  ]);
  assert.equal(discoveryProblems('event', { state_topic: 't', event_types: [] }), ['event_types must be a non-empty list of strings']);
  assert.equal(
    discoveryProblems('device_automation', {
      automation_type: 'action',
      topic: 't',
      type: 'x',
      subtype: 'y',
      device: { identifiers: ['d'] },
      unique_id: 'u',
    }),
    ['unique_id is not a device_automation key', 'automation_type must be trigger'],
  );
  assert.equal(discoveryProblems('switch', { state_topic: 't' }), ['command_topic is required']);
  assert.equal(discoveryProblems('number', { command_topic: 't', min: 0, max: 0, step: 1, mode: 'dial' }), [
    'max must be greater than min',
    'step must fit within min..max',
    'number mode dial',
  ]);
  assert.equal(discoveryProblems('number', { command_topic: 't', min: 0, max: 100, step: 0 }), ['step must be at least 0.001']);
  assert.equal(discoveryProblems('button', { command_topic: 't', state_topic: 's' }), ['state_topic is not a button key']);
});

test('the entities: one device, per symbol five sensors, last signal, stance, an event and three triggers (buy, sell, alert), plus the feed', () => {
  const messages = discoveryMessages(layout, ['BTC-USD', 'ETH-EUR']);
  assert.is(messages.length, 1 + 2 * (7 + 1 + 3));
  const count = (component: string) => messages.filter((message) => message.component === component).length;
  assert.equal([count('sensor'), count('event'), count('device_automation'), count('binary_sensor')], [14, 2, 6, 1]);
  assert.equal([count('switch'), count('number'), count('button')], [0, 0, 0], 'no controls unless entity commands are allowed');
  const uniqueIds = messages.map((message) => message.payload.unique_id).filter((id) => id !== undefined);
  assert.is(new Set(uniqueIds).size, uniqueIds.length, 'unique_ids are unique');
  assert.ok(uniqueIds.every((id) => String(id).startsWith('pi-kitchen_')));
  assert.is(new Set(messages.map((message) => message.topic)).size, messages.length, 'one config per topic');
  const triggers = messages
    .filter((message) => message.component === 'device_automation')
    .map((message) => `${String(message.payload.type)}/${String(message.payload.subtype)}`);
  assert.equal(
    triggers,
    ['buy/BTC-USD', 'sell/BTC-USD', 'alert/BTC-USD', 'buy/ETH-EUR', 'sell/ETH-EUR', 'alert/ETH-EUR'],
    'type + subtype unique per device',
  );
  for (const message of messages) {
    const device = message.payload.device as Record<string, unknown>;
    assert.equal(device, {
      identifiers: ['pi-kitchen'],
      name: 'Kitchen ticker',
      manufacturer: 'Stock Stream',
      model: 'Stock Stream edge appliance',
      sw_version: '1.2.3',
    });
    if (message.component !== 'device_automation') assert.is(message.payload.availability_topic, 'stock-stream/status');
  }
});

test('the price: the quote currency as unit, state_class measurement, no monetary device class', () => {
  const messages = discoveryMessages(layout, ['ETH-EUR']);
  const price = messages.find((message) => message.topic === 'homeassistant/sensor/pi-kitchen/eth_eur_price/config')!;
  assert.is(price.payload.unit_of_measurement, 'EUR');
  assert.is(price.payload.state_class, 'measurement');
  assert.is(price.payload.device_class, undefined);
  assert.is(price.payload.state_topic, 'stock-stream/ETH-EUR/price');
  const sma = messages.find((message) => message.topic.endsWith('eth_eur_sma/config'))!;
  assert.is(sma.payload.name, 'ETH-EUR SMA 20 1h', 'the name says the period and the candle timeframe');
  const event = messages.find((message) => message.component === 'event')!;
  assert.equal(event.payload.event_types, ['buy', 'sell', 'alert']);
  assert.is(event.payload.state_topic, 'stock-stream/ETH-EUR/event');
  const last = messages.find((message) => message.topic.endsWith('eth_eur_signal/config'))!;
  assert.equal(
    [last.payload.device_class, last.payload.options, last.payload.json_attributes_topic],
    ['enum', ['buy', 'sell'], 'stock-stream/ETH-EUR/signal'],
  );
});

test('the stance sensor, the controls and the device link', () => {
  const messages = discoveryMessages({ ...layout, configurationUrl: 'http://pi-kitchen.local:8080/' }, ['BTC-USD'], { controls: true });
  assert.is(messages.length, 1 + 3 + 7 + 1 + 3);
  const byObject = (objectId: string) => messages.find((message) => message.topic.endsWith(`/pi-kitchen/${objectId}/config`))!.payload;
  const stance = byObject('btc_usd_stance');
  assert.equal(
    [stance.device_class, stance.options, stance.value_template, stance.json_attributes_topic],
    ['enum', ['flat', 'long'], '{{ value_json.stance }}', 'stock-stream/BTC-USD/stance'],
  );
  const mute = byObject('mute');
  assert.equal(
    [mute.command_topic, mute.payload_on, mute.payload_off, mute.state_topic, mute.state_on, mute.state_off],
    ['stock-stream/buzzer/set', 'ON', 'OFF', 'stock-stream/buzzer', 'muted', 'unmuted'],
  );
  const brightness = byObject('brightness');
  assert.equal(
    [brightness.command_topic, brightness.state_topic, brightness.min, brightness.max, brightness.step, brightness.unit_of_measurement],
    ['stock-stream/brightness/set', 'stock-stream/brightness', 0, 100, 1, '%'],
  );
  const acknowledge = byObject('acknowledge');
  assert.equal([acknowledge.command_topic, acknowledge.payload_press], ['stock-stream/acknowledge/set', 'PRESS']);
  for (const objectId of ['mute', 'brightness', 'acknowledge', 'btc_usd_stance'])
    assert.is(byObject(objectId).availability_topic, 'stock-stream/status', `${objectId} has availability`);
  assert.is((byObject('btc_usd_price').device as Record<string, unknown>).configuration_url, 'http://pi-kitchen.local:8080/');
  assert.equal([byObject('btc_usd_price').suggested_display_precision, byObject('btc_usd_rsi').suggested_display_precision], [2, 1]);
});

test('own discovery topics are recognised by device id, others are not', () => {
  assert.ok(isOwnDiscoveryTopic(layout, 'homeassistant/sensor/pi-kitchen/old_price/config'));
  assert.ok(isOwnDiscoveryTopic(layout, 'homeassistant/device_automation/pi-kitchen/x_buy/config'));
  assert.not.ok(isOwnDiscoveryTopic(layout, 'homeassistant/sensor/pi-garage/old_price/config'));
  assert.not.ok(isOwnDiscoveryTopic(layout, 'homeassistant/sensor/pi-kitchen/config'));
  assert.not.ok(isOwnDiscoveryTopic(layout, 'homeassistant/status'));
  assert.is(applianceTopics(layout).ownDiscovery, 'homeassistant/+/pi-kitchen/+/config');
});

test('state payloads: numbers as decimal strings, change since the day open, nothing while warming up', () => {
  assert.equal(
    symbolStateMessages(layout, {
      symbol: 'BTC-USD',
      price: null,
      dayOpen: null,
      rsi: null,
      sma: null,
      ema: null,
      signal: null,
      stance: null,
    }),
    [],
  );
  const messages = symbolStateMessages(layout, {
    symbol: 'BTC-USD',
    price: 101_000.5,
    dayOpen: 100_000,
    rsi: 71.23456,
    sma: 100_500.123456789,
    ema: null,
    signal: { id: 's1', side: 'sell', ts: 1_764_200_000_000, price: 101_000.5, rule: 'rsi', reason: 'RSI above 70' },
    stance: { strategy: 'rsi-30-70', stance: 'long', since: 1_764_200_000_000, entryPrice: 100_900 },
  });
  const byLeaf = Object.fromEntries(messages.map((message) => [message.topic.split('/').pop(), message]));
  assert.equal(Object.keys(byLeaf), ['price', 'change', 'rsi', 'sma', 'signal', 'stance']);
  assert.equal(JSON.parse(byLeaf.stance!.payload), {
    stance: 'long',
    strategy: 'rsi-30-70',
    since: '2025-11-26T23:33:20.000Z',
    entry_price: 100_900,
  });
  assert.ok(messages.every((message) => message.retain));
  assert.is(byLeaf.price!.payload, '101000.5');
  assert.is(byLeaf.change!.payload, '1.0005');
  assert.is(byLeaf.rsi!.payload, '71.23');
  assert.is(byLeaf.sma!.payload, '100500.123457');
  assert.equal(JSON.parse(byLeaf.signal!.payload), {
    side: 'sell',
    price: 101_000.5,
    ts: 1_764_200_000_000,
    time: '2025-11-26T23:33:20.000Z',
    id: 's1',
    rule: 'rsi',
    reason: 'RSI above 70',
  });
  const event = signalEventMessage(layout, 'BTC-USD', { id: 's1', side: 'sell', ts: 1_764_200_000_000, price: 1 });
  assert.is(event.retain, false);
  assert.is(event.topic, 'stock-stream/BTC-USD/event');
  assert.is(JSON.parse(event.payload).event_type, 'sell');
});

test('helpers: slug, quote currency, rounding, change guards', () => {
  assert.is(symbolSlug('BTC-USD'), 'btc_usd');
  assert.is(quoteCurrency('BTC-USDT'), 'USDT');
  assert.is(formatFigure(-0.00001, 2), '0');
  assert.is(formatFigure(12.5, 4), '12.5');
  assert.is(changePercent(10, 0), null);
  assert.is(changePercent(null, 5), null);
  assert.is(changePercent(9, 10), -10);
});

test.run();
