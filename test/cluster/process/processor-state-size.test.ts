// The processor's state snapshot and the bus's message limit (issue 17 item 2): periods long enough
// to make the snapshot too large are refused at start, and the largest accepted ones run.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Processor } from '../../../cluster/process/processor.js';
import { pipelineFactory, type PipelineSettings } from '../../../core/pipeline.js';
import { EmbeddedLog } from '../../../platform/bus/embedded-log.js';
import { ConfigError, loadConfig } from '../../../platform/config/load.js';
import { createLogger } from '../../../platform/log.js';
import { asMessages, TEST_SETTINGS, tickPath } from '../../support/ticks.js';
import { eventually } from '../../support/wait.js';

const logger = createLogger('silent');

async function consumesEvery(settings: PipelineSettings, count: number): Promise<{ consumed: number; health: string }> {
  const bus = new EmbeddedLog({ file: join(mkdtempSync(join(tmpdir(), 'proc-size-')), 'bus.sqlite'), pollIntervalMs: 20 });
  const prefix = `size.${randomUUID().slice(0, 8)}`;
  const topics = {
    ticks: `${prefix}.ticks`,
    indicators: `${prefix}.ind`,
    signals: `${prefix}.sig`,
    dlq: `${prefix}.dlq`,
    state: `${prefix}.state`,
  };
  await bus.ensureTopics([{ name: topics.ticks, partitions: 1 }]);
  // One tick a minute: every tick closes a 1m candle, so the ring buffers fill one number a tick.
  await bus.publish(topics.ticks, asMessages(tickPath(count)));
  const processor = new Processor({ bus, logger, topics, group: prefix, pipelines: pipelineFactory(settings), restoreTimeoutMs: 20_000 });
  await processor.start();
  // One indicator record per tick processed; the processor publishes them with its state snapshot.
  let consumed = 0;
  const reader = await bus.consume({
    topics: [topics.indicators],
    from: 'earliest',
    handler: async (batch) => void (consumed += batch.length),
  });
  try {
    await eventually(() => assert.is(consumed, count), 60_000);
  } catch {
    // Reported by the caller with the processor's own account.
  }
  await reader.stop();
  const health = processor.health().detail;
  await processor.stop();
  await bus.close();
  return { consumed, health };
}

/** The configuration file of longPeriods(period), as the processor role would load it. */
const configOf = (period: number) =>
  loadConfig({
    env: { STOCK_STREAM_CONFIG: '/c.yaml' },
    readFile: () =>
      [
        `indicators: ${JSON.stringify({ ...TEST_SETTINGS.periods, sma: period, bollinger: { period, stdDev: 2 } })}`,
        'timeframes: []',
        `strategy: ${JSON.stringify(TEST_SETTINGS.strategy)}`,
      ].join('\n'),
  });

// Before the check, this configuration ran: at 55,000 ticks the snapshot reached 1,003,120 bytes, the
// bus refused it, and the batch was redelivered for good (the processor stuck, unhealthy).
test('periods of 60,000 on 1m candles are refused at start, naming the key and the largest that fits', () => {
  try {
    configOf(60_000);
    assert.unreachable('accepted');
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match(
      (error as Error).message,
      /^indicators\.sma: 60000 makes the processor's state up to 3\.1 MB .*message limit; at most \d+ for both indicators\.sma and indicators\.bollinger\.period /,
    );
  }
});

test('at the largest accepted periods the processor fills its ring buffers and keeps consuming', async () => {
  const refused = (() => {
    try {
      configOf(60_000);
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  })();
  const most = Number(/at most (\d+)/.exec(refused)![1]);
  const config = configOf(most);
  const settings = { periods: config.indicators, timeframes: config.timeframes, strategy: config.strategy, alerts: config.alerts };
  // Enough ticks to fill both rings of `most` numbers, and some more.
  const { consumed, health } = await consumesEvery(settings, most + 2000);
  assert.is(consumed, most + 2000, `stuck at ${consumed}: ${health}`);
});

test.run();
