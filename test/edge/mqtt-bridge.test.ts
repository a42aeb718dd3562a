// The edge role with its MQTT bridge on a real Mosquitto: discovery valid for every entity, retained
// state a late subscriber gets, one event per signal, availability, re-publish on Home Assistant's
// birth message, removal of entities no longer exposed, and commands (valid, malformed, unauthorised).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DiscoveryComponent } from '../../core/mqtt/discovery.js';
import { contrastFromPercent } from '../../edge/settings.js';
import { createLogger } from '../../platform/log.js';
import { edgeWithMqtt as setup, feed, message, topics } from '../support/edge-mqtt.js';
import { discoveryProblems, discoveryTopicProblem } from '../support/ha-discovery-rules.js';
import { publishOnce, watch } from '../support/mqtt-watch.js';
import { eventually } from '../support/wait.js';

test('discovery for every entity is valid, state is retained, each signal is one event, and stop says offline', async () => {
  const { url, base, prefix, bus, stop } = await setup();
  const watcher = await watch(url, [`${prefix}/#`, `${base}/#`]);
  let stopped = false;
  try {
    await eventually(() => assert.is(watcher.last(`${base}/status`)?.payload, 'online'));
    await eventually(() => assert.is(watcher.seen.filter((seen) => seen.topic.startsWith(`${prefix}/`)).length, 1 + 6 + 1 + 3));
    const discovery = watcher.seen.filter((seen) => seen.topic.startsWith(`${prefix}/`));
    const stateTopics = new Map<string, string>();
    for (const seen of discovery) {
      const component = seen.topic.split('/')[1] as DiscoveryComponent;
      assert.is(discoveryTopicProblem(seen.topic, prefix, component), undefined);
      assert.ok(seen.retain, `${seen.topic} is retained`);
      const payload = JSON.parse(seen.payload) as Record<string, unknown>;
      assert.equal(discoveryProblems(component, payload), [], seen.topic);
      assert.is((payload.device as { sw_version: string }).sw_version, '9.8.7');
      if (component === 'sensor') stateTopics.set(payload.state_topic as string, (payload.state_class as string | undefined) ?? 'none');
    }

    const ts = Date.now();
    await feed(bus, ts - 1000, 100_000);
    await feed(bus, ts, 101_000, { id: 'sig-1', side: 'buy' });
    await bus.publish(topics.signals, [
      message({ type: 'signal', id: 'sig-1', symbol: 'BTC-USD', side: 'buy', ts, price: 101_000, rule: 'r', reason: 'x' }),
    ]);
    await eventually(() => {
      assert.is(watcher.last(`${base}/BTC-USD/price`)?.payload, '101000');
      assert.is(watcher.last(`${base}/BTC-USD/change`)?.payload, '1');
      assert.is(watcher.last(`${base}/BTC-USD/rsi`)?.payload, '28.5');
      assert.is(watcher.last(`${base}/BTC-USD/sma`)?.payload, '100100.25');
      assert.is(watcher.last(`${base}/BTC-USD/ema`)?.payload, '100050.5');
      assert.is(JSON.parse(watcher.last(`${base}/BTC-USD/signal`)?.payload ?? '{}').side, 'buy');
      assert.is(watcher.last(`${base}/feed`)?.payload, 'ON');
    });
    // Every measurement sensor's state is a number Home Assistant can read.
    for (const [topic, stateClass] of stateTopics) {
      if (stateClass === 'measurement') assert.ok(Number.isFinite(Number(watcher.last(topic)?.payload)), `${topic} is numeric`);
    }
    const events = watcher.on(`${base}/BTC-USD/event`);
    assert.is(events.length, 1, 'the redelivered signal fired no second event');
    assert.is(events[0]!.retain, false);
    const event = JSON.parse(events[0]!.payload) as Record<string, unknown>;
    assert.equal([event.event_type, event.price, event.id, event.rule], ['buy', 101_000, 'sig-1', 'rsi-30-70']);

    // A late subscriber gets the last values, never the event.
    const late = await watch(url, [`${base}/#`]);
    await eventually(() => assert.is(late.last(`${base}/BTC-USD/price`)?.payload, '101000'));
    await eventually(() => assert.is(late.last(`${base}/status`)?.payload, 'online'));
    assert.ok(late.seen.every((seen) => seen.retain));
    assert.is(late.on(`${base}/BTC-USD/event`).length, 0);
    await late.close();

    await stop();
    stopped = true;
    await eventually(() => assert.is(watcher.last(`${base}/status`)?.payload, 'offline'));
  } finally {
    if (!stopped) await stop();
    await watcher.close();
  }
});

test("Home Assistant's birth message brings discovery and state again", async () => {
  const { url, base, prefix, bus, stop } = await setup();
  const watcher = await watch(url, [`${prefix}/#`, `${base}/#`]);
  try {
    await feed(bus, Date.now(), 99_000);
    await eventually(() => assert.is(watcher.last(`${base}/BTC-USD/price`)?.payload, '99000'));
    watcher.seen.length = 0;
    await publishOnce(url, `${prefix}/status`, 'offline');
    await publishOnce(url, `${prefix}/status`, 'online');
    await eventually(() => {
      assert.is(watcher.seen.filter((seen) => seen.topic.startsWith(`${prefix}/`) && seen.topic.endsWith('/config')).length, 11);
      assert.is(watcher.last(`${base}/BTC-USD/price`)?.payload, '99000', 'the state again, unchanged values included');
      assert.is(watcher.last(`${base}/status`)?.payload, 'online');
    });
  } finally {
    await stop();
    await watcher.close();
  }
});

test('entities no longer exposed are removed with an empty retained config; other devices are left alone', async () => {
  const first = await setup({ symbols: ['BTC-USD', 'ETH-USD'] });
  const { url, base, prefix } = first;
  const foreign = `${prefix}/sensor/another-device/eth_usd_price/config`;
  await publishOnce(url, foreign, '{"state_topic":"x"}', true);
  const watcher = await watch(url, [`${prefix}/#`]);
  await eventually(() => assert.is(watcher.seen.filter((seen) => seen.topic.includes('/edge-test/')).length, 1 + 2 * 10));
  await first.stop();
  const ethTopics = [...new Set(watcher.seen.filter((seen) => seen.topic.includes('/eth_usd_')).map((seen) => seen.topic))];
  assert.is(ethTopics.length, 10 + 1, 'ETH: six sensors, the event, three triggers (and the other device)');

  const second = await setup({ symbols: ['BTC-USD'], url, base, prefix });
  try {
    await eventually(() => {
      for (const topic of ethTopics.filter((topic) => topic !== foreign)) assert.is(watcher.last(topic)?.payload, '', `${topic} removed`);
    });
    // What is retained now: BTC's entities and the feed, and the other device's config.
    const retained = await watch(url, [`${prefix}/#`]);
    await eventually(() => assert.is(retained.seen.length, 1 + 10 + 1));
    assert.ok(retained.seen.every((seen) => !seen.topic.includes('edge-test/eth_usd')));
    assert.ok(retained.seen.some((seen) => seen.topic === foreign));
    await retained.close();
  } finally {
    await second.stop();
    await watcher.close();
    await publishOnce(url, foreign, '', true);
  }
});

test('commands: mute, brightness, acknowledge applied; unauthorised, malformed, unknown and oversized ignored', async () => {
  const token = 'a-shared-secret-of-some-length';
  // Every refusal answered here (no interval), to see each one's code; the limit has its own test.
  const { url, base, bus, panel, role, registry, bridge, stop } = await setup({
    mqtt: { commands: { enabled: true, token } },
    bridge: { refusalAnswerIntervalMs: 0 },
  });
  const watcher = await watch(url, [`${base}/#`]);
  const results = () => watcher.on(`${base}/command/result`).map((seen) => JSON.parse(seen.payload) as Record<string, unknown>);
  const send = (payload: string | Buffer) => publishOnce(url, `${base}/command`, payload);
  const buzzer: number[] = [];
  panel.on('leds', (levels) => buzzer.push(levels.buzzer));
  try {
    await eventually(() => assert.is(watcher.last(`${base}/buzzer`)?.payload, 'unmuted'));
    await send(JSON.stringify({ command: 'mute', token }));
    await eventually(() => assert.is(watcher.last(`${base}/buzzer`)?.payload, 'muted'));
    assert.is(role.controls().muted, true);
    await feed(bus, Date.now(), 100_000, { id: 'muted-buy', side: 'buy' });
    await eventually(() => assert.ok(panel.snapshot().leds.buyLed === 1 || buzzer.length > 0, 'the alert runs'));
    await new Promise((resolve) => setTimeout(resolve, 400)); // the buy beeps would be over by now
    assert.not.ok(buzzer.includes(1), 'muted: no beep');

    await send(JSON.stringify({ command: 'brightness', value: 30, token }));
    await eventually(() => assert.is(watcher.last(`${base}/brightness`)?.payload, '30'));
    await eventually(() => assert.is(panel.snapshot().contrast, contrastFromPercent(30)));
    await send(JSON.stringify({ command: 'acknowledge', token }));
    await send(JSON.stringify({ command: 'unmute', token }));
    await eventually(() => assert.is(watcher.last(`${base}/buzzer`)?.payload, 'unmuted'));
    assert.equal(
      results().map((result) => result.result),
      ['muted', 'brightness 30%', 'acknowledged', 'unmuted'],
    );

    const hostile: Array<[string | Buffer, string]> = [
      [JSON.stringify({ command: 'mute' }), 'unauthorised'],
      [JSON.stringify({ command: 'mute', token: 'wrong-token-wrong-token' }), 'unauthorised'],
      ['{"command":', 'malformed'],
      [Buffer.from([0xff, 0xfe, 0x00, 0x01]), 'malformed'],
      [JSON.stringify({ command: 'brightness', value: 1e308 * 10, token }), 'malformed'],
      [JSON.stringify({ command: 'brightness', value: -5, token }), 'malformed'],
      [JSON.stringify({ command: 'mute', token, extra: true }), 'malformed'],
      [JSON.stringify({ command: 'self-destruct', token }), 'unknown'],
      [JSON.stringify({ command: 'mute', token, pad: 'x'.repeat(2000) }), 'oversized'],
    ];
    for (const [payload] of hostile) await send(payload);
    // A huge command is over the packet size the bridge announces: the broker never sends it, so it
    // is neither buffered nor answered, and the connection stays up. The next refusal is answered.
    await send(JSON.stringify({ command: 'mute', token, pad: 'x'.repeat(1_000_000) }));
    await send('{"after the huge one":');
    await eventually(() => assert.is(results().length, 4 + hostile.length + 1));
    assert.equal(
      results()
        .slice(4)
        .map((result) => result.error),
      [...hostile.map(([, code]) => code), 'malformed'],
    );
    assert.ok(bridge.health().ok, bridge.health().detail);
    assert.ok(
      results().every((result) => !JSON.stringify(result).includes(token)),
      'the token is never echoed',
    );
    assert.is(role.controls().muted, false, 'no hostile command changed anything');
    assert.is(watcher.last(`${base}/brightness`)?.payload, '30');
    const metrics = await registry.metrics();
    assert.match(metrics, /stock_stream_mqtt_commands_total\{result="unauthorised"\} 2/);
    assert.match(metrics, /stock_stream_mqtt_commands_total\{result="applied"\} 4/);
  } finally {
    await stop();
    await watcher.close();
  }
});

test('answers to refused commands: at most one per interval, the rest counted; applied commands always answered', async () => {
  const token = 'a-shared-secret-of-some-length';
  const { url, base, registry, stop } = await setup({
    mqtt: { commands: { enabled: true, token } },
    bridge: { refusalAnswerIntervalMs: 1500 },
  });
  const watcher = await watch(url, [`${base}/command/result`]);
  const results = () => watcher.on(`${base}/command/result`).map((seen) => JSON.parse(seen.payload) as Record<string, unknown>);
  const send = (payload: string) => publishOnce(url, `${base}/command`, payload);
  try {
    const began = Date.now();
    for (let i = 0; i < 5; i++) await send(JSON.stringify({ command: 'mute', token: `guess-${i}` }));
    await send(JSON.stringify({ command: 'mute', token }));
    await eventually(() => assert.is(results().length, 2));
    assert.equal(
      results().map((result) => result.error ?? result.result),
      ['unauthorised', 'muted'],
    );
    await eventually(async () => assert.match(await registry.metrics(), /stock_stream_mqtt_command_answers_skipped_total 4/));
    assert.match(await registry.metrics(), /stock_stream_mqtt_commands_total\{result="unauthorised"\} 5/, 'every refusal is still counted');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, began + 1600 - Date.now())));
    await send('not json');
    await eventually(() => assert.is(results().length, 3));
    assert.is(results()[2]!.error, 'malformed', 'the next interval answers again');
  } finally {
    await stop();
    await watcher.close();
  }
});

test('commands enabled without a token: a warning at start', async () => {
  const lines: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
  const { stop } = await setup({ mqtt: { commands: { enabled: true } }, logger });
  try {
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40);
    assert.ok(
      warnings.some((line) => /commands are enabled without a token/.test(line.msg)),
      lines.join(''),
    );
  } finally {
    await stop();
  }
});

test('commands disabled: the command topic is not even read', async () => {
  const { url, base, role, stop } = await setup();
  const watcher = await watch(url, [`${base}/#`]);
  try {
    await publishOnce(url, `${base}/command`, JSON.stringify({ command: 'mute' }));
    await eventually(() => assert.is(watcher.last(`${base}/buzzer`)?.payload, 'unmuted'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.is(role.controls().muted, false);
    assert.is(watcher.on(`${base}/command/result`).length, 0);
  } finally {
    await stop();
    await watcher.close();
  }
});

test.run();
