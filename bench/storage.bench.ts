// What the single-node appliance writes to its storage (an SD card on a Pi): `stock-stream run
// --source simulator` as a real process at 1 and at 10 ticks a second, the bytes it sent to the
// block layer read from its own /proc/<pid>/io (write_bytes) over a measuring window, scaled to a
// day. Side by side in the same run: the configured commit groups (embeddedLog.commitIntervalSeconds,
// default 5) against every write committed on its own (0), the way the log wrote before.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema } from '../platform/config/schema.js';
import type { BenchSection, SummaryLine } from './bench.js';
import { counter, ensureBuilt, sleep, startRole } from './roles.js';

const WARM_UP_S = Number(process.env.BENCH_STORAGE_WARM_UP_S ?? 20);
const MEASURE_S = Number(process.env.BENCH_STORAGE_MEASURE_S ?? 120);
/** Issue 18: "at most about 500 MB a day at one tick a second". */
const AIM_MB_PER_DAY = 500;
const DEFAULT_COMMIT_S = ConfigSchema.parse({}).embeddedLog.commitIntervalSeconds;

interface Measured {
  ticksPerSecond: number;
  commitS: number;
  bytes: number;
  processed: number;
  /** Set when the run logged an error meanwhile. */
  logErrors: string;
}

/** Bytes this process caused to be written to storage so far (the kernel counts them as pages are dirtied). */
function writeBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/io`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('write_bytes:'));
  if (!line) throw new Error(`bench: /proc/${pid}/io has no write_bytes (a kernel without task I/O accounting)`);
  return Number(line.slice('write_bytes:'.length));
}

async function measure(ticksPerSecond: number, commitS: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), `bench-storage-${ticksPerSecond}-${commitS}-`));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `dataDir: ${join(dir, 'data')}`,
      'embeddedLog:',
      `  commitIntervalSeconds: ${commitS}`,
      'ingest:',
      `  intervalSeconds: ${1 / ticksPerSecond}`,
      '',
    ].join('\n'),
  );
  const run = await startRole(
    `run ${ticksPerSecond}/s`,
    ['run', '--source', 'simulator'],
    { STOCK_STREAM_CONFIG: config, EDGE_HARDWARE: 'virtual' },
    join(dir, 'run.log'),
  );
  try {
    const pid = run.server.child.pid!;
    await sleep(WARM_UP_S * 1000);
    const ticksBefore = await counter(run.port, 'stock_stream_process_ticks_total');
    const before = writeBytes(pid);
    await sleep(MEASURE_S * 1000);
    const bytes = writeBytes(pid) - before;
    const processed = (await counter(run.port, 'stock_stream_process_ticks_total')) - ticksBefore;
    const logErrors = readFileSync(join(dir, 'run.log'), 'utf8').includes('"level":50') ? 'errors in the log' : '';
    return { ticksPerSecond, commitS, bytes, processed, logErrors };
  } finally {
    await run.server.stop('SIGTERM');
  }
}

const perDayMb = (m: Measured) => (m.bytes / MEASURE_S) * (86_400 / 1e6);

export async function storageBench(): Promise<BenchSection> {
  ensureBuilt();
  const results: Measured[] = [];
  // The grouped and the ungrouped run side by side, so both see the same machine.
  for (const rate of [1, 10]) results.push(...(await Promise.all([measure(rate, DEFAULT_COMMIT_S), measure(rate, 0)])));
  const rows = results.map((m) => {
    const peer = results.find((other) => other.ticksPerSecond === m.ticksPerSecond && other.commitS === 0)!;
    return [
      `${m.ticksPerSecond} tick/s`,
      m.commitS === 0 ? 'every write committed (0)' : `grouped every ${m.commitS} s`,
      `${(m.bytes / 1e6).toFixed(2)} MB in ${MEASURE_S} s`,
      `${perDayMb(m).toFixed(0)} MB/day`,
      m.commitS === 0 ? '1.00' : (perDayMb(m) / perDayMb(peer)).toFixed(2),
      `${(m.processed / MEASURE_S).toFixed(1)} ticks/s processed${m.logErrors ? `; ${m.logErrors}` : ''}`,
    ];
  });
  const atOne = results.find((m) => m.ticksPerSecond === 1 && m.commitS === DEFAULT_COMMIT_S)!;
  const atTen = results.find((m) => m.ticksPerSecond === 10 && m.commitS === DEFAULT_COMMIT_S)!;
  const summary: SummaryLine[] = [
    {
      figure: '`run` storage writes at 1 tick/s (issue 18)',
      aim: `<= ${AIM_MB_PER_DAY} MB/day`,
      measured: `${perDayMb(atOne).toFixed(0)} MB/day`,
      verdict: perDayMb(atOne) <= AIM_MB_PER_DAY ? 'met' : 'not met',
    },
    {
      figure: '`run` storage writes at 10 ticks/s (issue 18: report)',
      aim: 'report',
      measured: `${perDayMb(atTen).toFixed(0)} MB/day`,
      verdict: 'no aim',
    },
  ];
  return {
    table: { header: ['feed', 'commits', 'written', 'per day', 'ratio to every-write', 'notes'], rows },
    notes: [
      `write_bytes of the process from /proc/<pid>/io over ${MEASURE_S} s after a ${WARM_UP_S} s warm-up, scaled to 86,400 s; the simulator feeds \`stock-stream run\` (every role, embedded log, SQLite store), the data directory on this machine's disk.`,
      'A short window can fall between two checkpoints of the WAL (every 4 MiB): BENCH_STORAGE_MEASURE_S=600 gives steadier figures.',
    ],
    summary,
  };
}
