// `stock-stream run`, the one-command appliance, as a user starts it: every role in one process on
// the embedded defaults, the dashboard and health on one port, the first lines saying where to look
// and which source is active; its data survives a clean stop and a kill -9.
import { mkdtempSync, writeFileSync } from 'node:fs';
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
    // What is committed is what another process reads (`stats`); the dashboard also shows the open
    // commit group (embeddedLog.commitIntervalSeconds), which a kill -9 loses whole.
    const committed = async () => {
      const stats = await cli(['stats', '--symbol', 'BTC-USD', '--json'], env);
      assert.is(stats.code, 0, stats.stderr);
      return (JSON.parse(stats.stdout) as Array<{ ticks: number }>).reduce((sum, day) => sum + day.ticks, 0);
    };
    await eventually(async () => assert.ok((await committed()) > afterRestart, 'a group committed since the restart'), 30_000, 500);
    const beforeKill = await committed();
    service.child.kill('SIGKILL');
    await service.exit;
    service = await startService(['run', '--source', 'simulator'], env);
    assert.ok((await ticksToday(base)) >= beforeKill, 'nothing the aggregate store had committed is lost');
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

test('run --source replay --speed 0, SIGKILLed part-way and run again on the same data directory: stats equal the file, each row counted once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'run-replay-'));
  // One UTC day of rows 2 s apart, each with a volume: the file's figures are the row count and the volume sum.
  const start = Date.UTC(2026, 0, 5);
  const rows = Array.from({ length: 30_000 }, (_, i) => ({ ts: start + i * 2_000, price: 100 + (i % 97) / 10, volume: (i % 13) + 0.25 }));
  const csv = join(dataDir, '..', `replay-${Date.now()}.csv`);
  writeFileSync(csv, `ts,price,volume\n${rows.map((r) => `${r.ts},${r.price},${r.volume}`).join('\n')}\n`);
  const volume = rows.reduce((sum, r) => sum + r.volume, 0);
  // Commit groups of a second rather than five, so that the kill lands after some and before the end.
  const config = join(dataDir, '..', `run-replay-${Date.now()}.yaml`);
  writeFileSync(config, 'embeddedLog:\n  commitIntervalSeconds: 1\n');
  const env = { STOCK_STREAM_DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'info', STOCK_STREAM_CONFIG: config };
  const args = ['run', '--source', `replay:${csv}`, '--speed', '0'];
  const counted = async () => {
    const stats = await cli(['stats', '--symbol', 'BTC-USD', '--days', '3650', '--json'], env);
    assert.is(stats.code, 0, stats.stderr);
    const days = JSON.parse(stats.stdout) as Array<{ ticks: number; volume: number }>;
    return { ticks: days.reduce((sum, d) => sum + d.ticks, 0), volume: days.reduce((sum, d) => sum + d.volume, 0) };
  };

  let port = await freePort();
  let service = await startService(args, { ...env, PORT: String(port) });
  try {
    // Killed once `stats` (another process: what is committed) counts some rows.
    await eventually(async () => assert.ok((await counted()).ticks > 0, 'some rows committed'), 60_000, 100);
    service.child.kill('SIGKILL');
    await service.exit;
    const before = await counted();
    assert.ok(before.ticks > 0 && before.ticks < rows.length, `killed part-way: ${before.ticks} of ${rows.length} counted`);

    port = await freePort();
    service = await startService(args, { ...env, PORT: String(port) });
    await eventually(() => assert.match(service.stderr(), /replay: end of file/), 120_000, 250);
    await eventually(async () => assert.ok((await counted()).ticks >= rows.length, 'every row counted'), 60_000, 500);
    // Counts pass through the row count on the way up when rows count twice: let the aggregator finish first.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const after = await counted();
    assert.is(after.ticks, rows.length, 'each row once');
    assert.ok(Math.abs(after.volume - volume) < 1e-6, `volume ${after.volume} vs ${volume}`);
  } finally {
    service.child.kill('SIGTERM');
    await service.exit;
  }
});

test('run with a bad --source: one line, exit 2, nothing started', async () => {
  const run = await cli(['run', '--source', 'nasdaq'], { STOCK_STREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'run-bad-')) });
  assert.is(run.code, 2);
  assert.match(run.stderr, /--source must be coinbase, kraken, alphavantage, simulator or replay:<file.csv>/);
});

test.run();
