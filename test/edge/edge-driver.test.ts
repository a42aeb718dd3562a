// The edge role on a real bus (the embedded log): ticks, indicators and signals published after it
// starts reach the panel's frame and LEDs, and hostile messages are counted and skipped, never fatal.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { EmbeddedLog } from '../../platform/bus/embedded-log.js';
import { createLogger } from '../../platform/log.js';
import { DEFAULT_ALERT_SETTINGS } from '../../core/edge/alerts.js';
import { getPixel } from '../../core/edge/frame.js';
import { EdgeDriver } from '../../edge/edge-driver.js';
import { edgeMetrics } from '../../edge/metrics.js';
import { EdgePanel } from '../../edge/virtual-panel.js';
import { OledDisplay } from '../../edge/oled.js';
import { displaySettings } from '../support/edge-screens.js';
import { Ssd1306Emulator } from '../support/ssd1306-emulator.js';
import { eventually } from '../support/wait.js';

const topics = { ticks: 'stock.ticks', indicators: 'stock.indicators', signals: 'stock.signals' };

async function setup() {
  const bus = new EmbeddedLog({ file: join(mkdtempSync(join(tmpdir(), 'edge-')), 'bus.sqlite'), pollIntervalMs: 10 });
  const registry = new Registry();
  const panel = new EdgePanel(128, 64, { display: true, gpio: false });
  const emulator = new Ssd1306Emulator();
  const role = new EdgeDriver({
    bus,
    logger: createLogger('silent'),
    topics,
    group: 'edge-test',
    symbols: ['BTC-USD'],
    display: displaySettings(128, 64),
    alerts: DEFAULT_ALERT_SETTINGS,
    panel,
    frameSink: new OledDisplay({ bus: emulator, address: 0x3c, width: 128, height: 64 }),
    metrics: edgeMetrics(registry),
    intervalMs: 10,
  });
  await role.start();
  return { bus, registry, panel, emulator, role };
}

const message = (value: unknown) => ({ key: 'BTC-USD', value: typeof value === 'string' ? value : JSON.stringify(value) });

test('a tick, its indicators and a buy signal reach the panel, the OLED and the buy LED', async () => {
  const { bus, panel, emulator, role } = await setup();
  const leds: string[] = [];
  panel.on('leds', (levels) => leds.push(`${levels.buyLed}${levels.sellLed}`));
  try {
    const ts = Date.now();
    await bus.publish(topics.ticks, [message({ symbol: 'BTC-USD', price: 97_000.5, ts, source: 'kraken' })]);
    await bus.publish(topics.indicators, [message({ type: 'indicators', symbol: 'BTC-USD', ts, price: 97_000.5, rsi: 55.5 })]);
    await bus.publish(topics.signals, [
      message({ type: 'signal', id: 's1', symbol: 'BTC-USD', side: 'buy', ts, price: 97_000.5, rule: 'r', reason: 'x' }),
    ]);
    await eventually(() => {
      const view = role.state().symbols[0]!;
      assert.is(view.price, 97_000.5);
      assert.is(view.rsi, 55.5);
      assert.is(view.signal?.side, 'buy');
    });
    await eventually(() => assert.ok(leds.includes('10'), 'the buy LED lit'));
    await eventually(() => {
      const frame = panel.currentFrame();
      // The price's first digit (seven segments, top bar at row 11) is drawn.
      assert.ok(getPixel(frame, 4, 11));
      assert.ok(getPixel(emulator.panel(), 4, 11), 'and it is on the OLED');
    });
    assert.is(panel.snapshot().hardware.display, true);
  } finally {
    await role.stop();
    await bus.close();
  }
  assert.equal(panel.snapshot().leds, { buyLed: 0, sellLed: 0, buzzer: 0 }, 'LEDs off after stop');
  assert.not.ok(emulator.displayOn, 'OLED off after stop');
});

test('hostile messages are counted as rejected and skipped; the role keeps going', async () => {
  const { bus, registry, role } = await setup();
  try {
    const ts = Date.now();
    const hostile = [
      'not json',
      '{"symbol":',
      'null',
      '[]',
      'x'.repeat(200_000),
      JSON.stringify({ symbol: 'BTC-USD', price: 'NaN', ts, source: 'kraken' }),
      JSON.stringify({ symbol: 'BTC-USD', price: -1, ts, source: 'kraken' }),
      JSON.stringify({ symbol: 'BTC-USD', price: 1, ts: ts + 86_400_000, source: 'kraken' }),
      JSON.stringify({ symbol: 'btc', price: 1, ts, source: 'kraken' }),
    ];
    await bus.publish(topics.ticks, hostile.map(message));
    await bus.publish(topics.indicators, [
      message({ symbol: 'BTC-USD', rsi: 150 }),
      message({ symbol: 'BTC-USD', rsi: 'high' }),
      message({ rsi: 5 }),
    ]);
    await bus.publish(topics.signals, [
      message({ id: 's', symbol: 'BTC-USD', side: 'hold', ts, price: 1, rule: 'r' }),
      message({ id: 'no-rule', symbol: 'BTC-USD', side: 'buy', ts, price: 1 }),
      message({ id: 7, symbol: 'BTC-USD', side: 'buy', ts, price: 1 }),
      message({ id: 's', symbol: 'BTC-USD', side: 'buy', ts: 12, price: 1 }),
      message({ id: 's', symbol: 'BTC-USD', side: 'sell', ts, price: Infinity }),
      message({ id: 'ok', symbol: 'ETH-USD', side: 'sell', ts, price: 1, rule: 'r', extra: { unknown: true } }),
    ]);
    await bus.publish(topics.ticks, [message({ symbol: 'BTC-USD', price: 96_500, ts, source: 'kraken', unknownField: 1 })]);
    await eventually(() => assert.is(role.state().symbols[0]!.price, 96_500));
    await eventually(async () => {
      const metrics = await registry.getSingleMetricAsString('stock_stream_edge_messages_total');
      assert.match(metrics, /topic="ticks",result="rejected"} 9/);
      assert.match(metrics, /topic="indicators",result="rejected"} 3/);
      assert.match(metrics, /topic="signals",result="rejected"} 5/);
      assert.match(metrics, /topic="signals",result="ignored"} 1/);
    });
    assert.is(role.state().symbols[0]!.signal, null);
    assert.ok(role.health().ok);
  } finally {
    await role.stop();
    await bus.close();
  }
});

test.run();
