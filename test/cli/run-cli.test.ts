// `stock-stream run`, the one-command appliance, as a user starts it: every role in one process on
// the embedded defaults, the dashboard and health on one port, the first lines saying where to look
// and which source is active; its data survives a clean stop and a kill -9.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '../services/child.js';
import { cli, startService, type Service } from '../support/cli.js';
import { eventually } from '../support/wait.js';

const test = suite('cli: run');

interface Health {
  status: string;
  checks: Record<string, { ok: boolean; detail: string }>;
}

async function ticksToday(base: string): Promise<number> {
  const latest = (await (await fetch(`${base}/api/latest?symbol=BTC-USD`)).json()) as { today?: { ticks: number } };
  return latest.today?.ticks ?? 0;
}

test('run --source simulator: every role up, the dashboard and /healthz on one port, data kept across SIGTERM and SIGKILL', async () => {
  const port = await freePort();
  const env = {
    STOCK_STREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'run-')),
    PORT: String(port),
    HOST: '127.0.0.1',
    MESSAGE_INTERVAL: '0.05',
    LOG_LEVEL: 'info',
  };
  const base = `http://127.0.0.1:${port}`;
  let service: Service = await startService(['run', '--source', 'simulator'], env);
  try {
    // stdout and stderr are separate pipes: the banner may come in just after the log line.
    await eventually(() => assert.match(service.stdout(), /Stop with Ctrl-C\.\n/));
    const banner = service.stdout().split('\n');
    assert.match(banner[0]!, /^Stock Stream \S+ is running: BTC-USD$/);
    assert.ok(banner.includes(`  dashboard  http://127.0.0.1:${port}/  (health: /healthz, metrics: /metrics)`), service.stdout());
    assert.ok(
      banner.some((line) => /^ {2}source {5}the simulator: SIMULATED prices/.test(line)),
      service.stdout(),
    );

    const health = (await (await fetch(`${base}/healthz`)).json()) as Health;
    assert.is(health.status, 'ok', JSON.stringify(health));
    for (const check of [
      'embedded-log',
      'process.processor',
      'aggregate.aggregator',
      'aggregate.sqlite',
      'notify.notifier',
      'edge',
      'ingest.source',
      'ingest.outbox',
      'web.sqlite',
    ]) {
      assert.ok(health.checks[check]?.ok, `${check}: ${JSON.stringify(health.checks[check])}`);
    }
    assert.match(health.checks['ingest.source']!.detail, /SIMULATED/);
    const page = await fetch(`${base}/`);
    assert.is(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    // Ticks flow through ingest, the processor and the aggregator into what the dashboard reads.
    await eventually(async () => assert.ok((await ticksToday(base)) >= 40, 'ticks reach the aggregate store'), 30_000);
    await eventually(async () => {
      // Live ticks need hours of 1-hour candles before the values (issue 16's warm start); the record says so.
      const latest = (await (await fetch(`${base}/api/latest?symbol=BTC-USD`)).json()) as {
        indicators?: { timeframe: string; rsi: number | null; stance: { stance: string } | null };
      };
      assert.is(latest.indicators?.timeframe, '1h', 'the processor publishes the strategy timeframe');
      assert.is(latest.indicators?.stance?.stance, 'flat');
    }, 30_000);

    service.child.kill('SIGTERM');
    assert.is(await service.exit, 0, service.stderr().slice(-2000));

    // A restart finds what was committed, then a kill -9 loses nothing committed either.
    service = await startService(['run', '--source', 'simulator'], env);
    const afterRestart = await ticksToday(base);
    await eventually(async () => assert.ok((await ticksToday(base)) > afterRestart + 20, 'ticks flow again'), 30_000);
    const beforeKill = await ticksToday(base);
    service.child.kill('SIGKILL');
    await service.exit;
    service = await startService(['run', '--source', 'simulator'], env);
    assert.ok((await ticksToday(base)) >= beforeKill, 'nothing the aggregate store had committed is lost');
    const stats = await cli(['stats', '--symbol', 'BTC-USD', '--json'], env);
    assert.is(stats.code, 0, stats.stderr);
  } finally {
    service.child.kill('SIGTERM');
    await service.exit;
  }
});

test('a second run on the same data directory exits with one line and starts nothing; after a SIGKILL of the first, a new one starts', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'run-twice-'));
  const env = { STOCK_STREAM_DATA_DIR: dataDir, HOST: '127.0.0.1', MESSAGE_INTERVAL: '0.05', LOG_LEVEL: 'info' };
  let first: Service = await startService(['run', '--source', 'simulator'], { ...env, PORT: String(await freePort()) });
  try {
    const secondPort = await freePort();
    const second = await cli(['run', '--source', 'simulator'], { ...env, PORT: String(secondPort) }, undefined, (child) => {
      // Before the lock, the second one simply ran: stop it rather than wait the 60 s of cli().
      setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    });
    assert.ok(second.code !== null && second.code !== 0, `exit ${second.code}: ${second.stderr.slice(-2000)}`);
    const lines = second.stderr.split('\n').filter((line) => line.includes('is in use'));
    assert.equal(lines, [`stock-stream run: data directory ${dataDir} is in use by another stock-stream (pid ${first.child.pid})`]);
    assert.is(second.stdout, '', 'no banner');
    // The source starts last (cli/commands/run.ts), after the dashboard listens: neither happened.
    assert.not.match(second.stderr, /run running/, 'the source never started, so nothing was published');
    await fetch(`http://127.0.0.1:${secondPort}/healthz`).then(
      () => assert.unreachable('the second dashboard listens'),
      () => {},
    );

    first.child.kill('SIGKILL');
    await first.exit;
    first = await startService(['run', '--source', 'simulator'], { ...env, PORT: String(await freePort()) });
  } finally {
    first.child.kill('SIGTERM');
    await first.exit;
  }
});

test('run with a bad --source: one line, exit 2, nothing started', async () => {
  const run = await cli(['run', '--source', 'nasdaq'], { STOCK_STREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'run-bad-')) });
  assert.is(run.code, 2);
  assert.match(run.stderr, /--source must be coinbase, kraken, alphavantage, simulator or replay:<file.csv>/);
});

test.run();
