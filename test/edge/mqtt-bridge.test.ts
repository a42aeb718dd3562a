// The edge role with its MQTT bridge on a real Mosquitto: discovery valid for every entity, retained
// state a late subscriber gets, one event per signal, availability, re-publish on Home Assistant's
// birth message, removal of entities no longer exposed, commands (valid, malformed, unauthorised) from
// the JSON topic and from Home Assistant's entities, and the state throttle.
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
    await eventually(() => assert.is(watcher.seen.filter((seen) => seen.topic.startsWith(`${prefix}/`)).length, 1 + 7 + 1 + 3));
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
      assert.is(watcher.seen.filter((seen) => seen.topic.startsWith(`${prefix}/`) && seen.topic.endsWith('/config')).length, 12);
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
  await eventually(() => assert.is(watcher.seen.filter((seen) => seen.topic.includes('/edge-test/')).length, 1 + 2 * 11));
  await first.stop();
  const ethTopics = [...new Set(watcher.seen.filter((seen) => seen.topic.includes('/eth_usd_')).map((seen) => seen.topic))];
  assert.is(ethTopics.length, 11 + 1, 'ETH: seven sensors, the event, three triggers (and the other device)');

  const second = await setup({ symbols: ['BTC-USD'], url, base, prefix });
  try {
    await eventually(() => {
      for (const topic of ethTopics.filter((topic) => topic !== foreign)) assert.is(watcher.last(topic)?.payload, '', `${topic} removed`);
    });
    // What is retained now: BTC's entities and the feed, and the other device's config.
    const retained = await watch(url, [`${prefix}/#`]);
    await eventually(() => assert.is(retained.seen.length, 1 + 11 + 1));
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

test("Home Assistant's entities: mute switch, brightness number and acknowledge button, valid and applied without a token", async () => {
  const token = 'a-shared-secret-of-some-length';
  const { url, base, prefix, bus, role, stop } = await setup({
    mqtt: { commands: { enabled: true, token, allowEntities: true }, configurationUrl: 'http://edge.local:8080/' },
    bridge: { refusalAnswerIntervalMs: 0 },
  });
  const watcher = await watch(url, [`${prefix}/#`, `${base}/#`]);
  const results = () => watcher.on(`${base}/command/result`).map((seen) => JSON.parse(seen.payload) as Record<string, unknown>);
  try {
    await eventually(() => assert.is(watcher.seen.filter((seen) => seen.topic.startsWith(`${prefix}/`)).length, 1 + 3 + 7 + 1 + 3));
    for (const seen of watcher.seen.filter((seen) => seen.topic.startsWith(`${prefix}/`))) {
      const component = seen.topic.split('/')[1] as DiscoveryComponent;
      const payload = JSON.parse(seen.payload) as Record<string, unknown>;
      assert.equal(discoveryProblems(component, payload), [], seen.topic);
      assert.is((payload.device as Record<string, unknown>).configuration_url, 'http://edge.local:8080/');
    }
    const config = (component: string, objectId: string) =>
      JSON.parse(watcher.last(`${prefix}/${component}/edge-test/${objectId}/config`)!.payload) as Record<string, string>;
    await eventually(() => assert.is(watcher.last(`${base}/buzzer`)?.payload, 'unmuted'));
    await publishOnce(url, config('switch', 'mute').command_topic!, 'ON');
    await eventually(() => assert.is(watcher.last(config('switch', 'mute').state_topic!)?.payload, 'muted'));
    assert.is(role.controls().muted, true);
    await publishOnce(url, config('number', 'brightness').command_topic!, '30');
    await eventually(() => assert.is(watcher.last(config('number', 'brightness').state_topic!)?.payload, '30'));
    await publishOnce(url, config('button', 'acknowledge').command_topic!, 'PRESS');
    await publishOnce(url, config('switch', 'mute').command_topic!, 'sure');
    await publishOnce(url, config('switch', 'mute').command_topic!, 'OFF');
    await eventually(() => assert.is(results().length, 5));
    assert.equal(
      results().map((result) => result.result ?? result.error),
      // No alert in progress: the press reaches the alert state machine, which has nothing to acknowledge.
      ['muted', 'brightness 30%', 'none', 'malformed', 'unmuted'],
    );
    assert.is(role.controls().muted, false);

    // The stance sensor reads the stance that comes with each indicators record.
    const ts = Date.now();
    await bus.publish(topics.indicators, [
      message({
        type: 'indicators',
        symbol: 'BTC-USD',
        ts,
        price: 100_000,
        rsi: 28.5,
        sma: null,
        ema: null,
        macd: null,
        stance: { strategy: 'rsi-30-70', stance: 'long', since: ts - 60_000, entryPrice: 99_000 },
      }),
    ]);
    const stance = config('sensor', 'btc_usd_stance');
    await eventually(() =>
      assert.equal(JSON.parse(watcher.last(stance.state_topic!)?.payload ?? '{}'), {
        stance: 'long',
        strategy: 'rsi-30-70',
        since: new Date(ts - 60_000).toISOString(),
        entry_price: 99_000,
      }),
    );
  } finally {
    await stop();
    await watcher.close();
  }
});

test('entity commands allowed: a warning at start that the broker ACL is their only protection', async () => {
  const lines: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
  const { stop } = await setup({
    mqtt: { commands: { enabled: true, allowEntities: true, token: 'a-shared-secret-of-some-length' } },
    logger,
  });
  try {
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40);
    assert.ok(
      warnings.some((line) => /entity commands carry no token/.test(line.msg)),
      lines.join(''),
    );
  } finally {
    await stop();
  }
});

test('entity commands are not read without mqtt.commands.allowEntities, even with commands enabled', async () => {
  const { url, base, prefix, role, stop } = await setup({ mqtt: { commands: { enabled: true, token: 'a-shared-secret-of-some-length' } } });
  const watcher = await watch(url, [`${prefix}/#`, `${base}/#`]);
  try {
    await eventually(() => assert.is(watcher.last(`${base}/buzzer`)?.payload, 'unmuted'));
    await publishOnce(url, `${base}/buzzer/set`, 'ON');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.is(role.controls().muted, false);
    assert.is(watcher.on(`${base}/command/result`).length, 0);
    assert.not.ok(
      watcher.seen.some((seen) => /\/(switch|number|button)\//.test(seen.topic)),
      'no control entities discovered',
    );
  } finally {
    await stop();
    await watcher.close();
  }
});

test('throttle: a burst of 50 ticks publishes the price at most twice (the first and the trailing latest); a signal at once', async () => {
  const { url, base, bus, stop } = await setup({ mqtt: { throttleSeconds: 2 } });
  const watcher = await watch(url, [`${base}/#`]);
  try {
    await eventually(() => assert.is(watcher.last(`${base}/status`)?.payload, 'online'));
    const began = Date.now();
    // Moves of 0.001 % each, under throttleMoveFraction: only the interval lets them out.
    for (let i = 0; i < 50; i++)
      await bus.publish(topics.ticks, [message({ symbol: 'BTC-USD', price: 100_000 + i, ts: began - 1000 + i, source: 'kraken' })]);
    assert.ok(Date.now() - began < 1000, 'the burst took under a second');
    await eventually(() => assert.is(watcher.last(`${base}/BTC-USD/price`)?.payload, '100049'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const prices = watcher.on(`${base}/BTC-USD/price`).map((seen) => seen.payload);
    assert.equal(prices, ['100000', '100049'], 'the first and the trailing latest');

    // A recommendation goes out at once, though the flush just started a new interval.
    const sent = Date.now();
    await bus.publish(topics.signals, [
      message({ type: 'signal', id: 'sig-t', symbol: 'BTC-USD', side: 'sell', ts: sent, price: 100_049, rule: 'r', reason: 'x' }),
    ]);
    await eventually(() => assert.is(JSON.parse(watcher.last(`${base}/BTC-USD/signal`)?.payload ?? '{}').id, 'sig-t'));
    assert.ok(Date.now() - sent < 1500, `the signal state within ${Date.now() - sent} ms, under the 2 s interval`);
    assert.is(watcher.on(`${base}/BTC-USD/event`).length, 1);
  } finally {
    await stop();
    await watcher.close();
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
