// A day of 1-second BTC-USD ticks (86,400, from the core simulator) replayed fast through
// `stock-stream run` (every role in one process, embedded log and SQLite), with RSS read from /proc
// every 250 ms during the replay and every second for a while after it. Three runs: paced at ×2000
// (the day in ~45 s, so the samples follow the working set tick after tick) with the heap capped as
// under the appliance's memory limit, then as fast as the bus takes it (a catch-up after an outage,
// the worst case) with that cap and with Node's default heap sizing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initialSimulatorState, stepSimulator } from '../core/ingest/simulator.js';
import type { BenchSection, SummaryLine } from './bench.js';
import { applianceMemoryMaxMb, counter, ensureBuilt, mb, readRss, sleep, startRole } from './roles.js';

const TICKS = 86_400;
const SETTLE_S = Number(process.env.BENCH_SOAK_SETTLE_S ?? 15);
const PACED_SPEED = 2000;
const TIMEOUT_MS = 150_000;
/**
 * The bound: the MemoryMax that firmware-config/systemd/stock-stream-edge.service gives the
 * single-node appliance (past it the kernel kills the service), read from the unit so the two agree.
 * The capped runs set V8's old space as the unit does (NODE_OPTIONS=--max-old-space-size), 70 % of
 * the bound, the rule cdk8s/roles.ts maxOldSpaceMb applies to the pods.
 */
const BOUND_MB = applianceMemoryMaxMb();
const CAPPED_HEAP_MB = Math.floor(BOUND_MB * 0.7);

function writeDay(dir: string): string {
  const options = { seed: 86_400, startPrice: 90_000, symbols: ['BTC-USD'], stepSeconds: 1 };
  let state = initialSimulatorState(options);
  const start = Date.UTC(2026, 0, 1);
  const lines = ['ts,price,volume'];
  for (let i = 0; i < TICKS; i++) {
    const step = stepSimulator(state, options, start + i * 1000);
    state = step.state;
    const tick = step.ticks[0]!;
    lines.push(`${tick.ts},${tick.price},${tick.volume}`);
  }
  const file = join(dir, 'btc-usd-1s-day.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface Soak {
  label: string;
  startMb: number;
  quarterMb: number[];
  replayEndMb: number;
  peakMb: number;
  /** The largest anonymous RSS sampled (RssAnon). */
  peakAnonMb: number;
  settledMb: number;
  /** V8's heap in use at the end (prom-client's nodejs_heap_size_used_bytes), MB: the rest of the RSS is native. */
  heapUsedMb: number;
  ticksPerSecond: number;
  seconds: number;
}

async function soak(label: string, csv: string, speed: number, nodeOptions: string | undefined): Promise<Soak> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-soak-'));
  const began = performance.now();
  const run = await startRole(
    'run',
    ['run', '--source', `replay:${csv}`, '--speed', String(speed)],
    { STOCK_STREAM_DATA_DIR: dir, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
    join(dir, 'run.log'),
  );
  const pid = run.server.child.pid!;
  try {
    const startMb = readRss(pid).rssMb;
    let peakAnonMb = readRss(pid).anonMb;
    const quarterMb: number[] = [];
    // Done when the last tick has been published, processed and aggregated.
    const progress = async () =>
      Math.min(
        await counter(run.port, 'stock_stream_ingest_published_total'),
        await counter(run.port, 'stock_stream_process_ticks_total'),
        await counter(run.port, 'stock_stream_aggregate_messages_total', { topic: 'stock.ticks' }),
      );
    let done = 0;
    while (done < TICKS) {
      if (performance.now() - began > TIMEOUT_MS)
        throw new Error(`bench: soak ${label} timed out at ${done} of ${TICKS} ticks; see ${run.server.logFile}`);
      if (run.server.exited()) throw new Error(`bench: soak ${label}: stock-stream run exited; see ${run.server.logFile}`);
      await sleep(250);
      done = await progress();
      const rss = readRss(pid);
      peakAnonMb = Math.max(peakAnonMb, rss.anonMb);
      while (quarterMb.length < 4 && done >= (TICKS * (quarterMb.length + 1)) / 4) quarterMb.push(rss.rssMb);
    }
    const seconds = (performance.now() - began) / 1000;
    const replayEndMb = readRss(pid).rssMb;
    const settled: number[] = [];
    for (let s = 0; s < SETTLE_S; s++) {
      await sleep(1000);
      const rss = readRss(pid);
      peakAnonMb = Math.max(peakAnonMb, rss.anonMb);
      settled.push(rss.rssMb);
    }
    const heapUsedMb = (await counter(run.port, 'stock_stream_nodejs_heap_size_used_bytes')) / 2 ** 20;
    return {
      label,
      startMb,
      quarterMb,
      replayEndMb,
      peakMb: readRss(pid).hwmMb,
      peakAnonMb,
      heapUsedMb,
      settledMb: settled[settled.length - 1]!,
      ticksPerSecond: TICKS / seconds,
      seconds,
    };
  } finally {
    await run.server.stop('SIGTERM');
  }
}

export async function soakBench(): Promise<BenchSection> {
  ensureBuilt();
  const csv = writeDay(mkdtempSync(join(tmpdir(), 'bench-soak-csv-')));
  const runs = [
    await soak(`paced ×${PACED_SPEED}, heap capped at ${CAPPED_HEAP_MB} MB`, csv, PACED_SPEED, `--max-old-space-size=${CAPPED_HEAP_MB}`),
    await soak(`as fast as possible, heap capped at ${CAPPED_HEAP_MB} MB`, csv, 0, `--max-old-space-size=${CAPPED_HEAP_MB}`),
    await soak('as fast as possible, default heap', csv, 0, undefined),
  ];
  const rows = runs.map((r) => [
    r.label,
    mb(r.startMb),
    r.quarterMb.map(mb).join(' / '),
    mb(r.peakMb),
    mb(r.peakAnonMb),
    mb(r.settledMb),
    mb(r.heapUsedMb),
    `${Math.round(r.ticksPerSecond).toLocaleString('en-US')} ticks/s (${r.seconds.toFixed(1)} s from spawn)`,
    `peak ${r.peakMb <= BOUND_MB ? 'under' : 'OVER'} ${BOUND_MB} MB; ${SETTLE_S} s after, ${r.settledMb <= BOUND_MB ? 'under' : 'OVER'}`,
  ]);
  const [paced, capped, fast] = runs as [Soak, Soak, Soak];
  // A leak grows with the ticks: compare the second half of the paced day with its first.
  const secondHalfMb = paced.quarterMb[3]! - paced.quarterMb[1]!;
  const summary: SummaryLine[] = [
    {
      figure: `soak: a day of 1-s ticks through \`run\`, paced ×${PACED_SPEED}, heap capped at ${CAPPED_HEAP_MB} MB (issue 11)`,
      aim: `RSS under ${BOUND_MB} MB (systemd MemoryMax), no growth with the ticks`,
      measured: `start ${mb(paced.startMb)}, peak ${mb(paced.peakMb)} (anonymous ${mb(paced.peakAnonMb)}), end of day ${mb(paced.replayEndMb)} (${secondHalfMb >= 0 ? '+' : ''}${secondHalfMb.toFixed(1)} MB over the second half), ${Math.round(paced.ticksPerSecond).toLocaleString('en-US')} ticks/s`,
      verdict: paced.peakMb <= BOUND_MB ? 'met' : 'not met',
    },
    {
      figure: `soak as fast as possible, heap capped at ${CAPPED_HEAP_MB} MB`,
      aim: `RSS under ${BOUND_MB} MB`,
      measured: `peak ${mb(capped.peakMb)} (anonymous ${mb(capped.peakAnonMb)}), ${SETTLE_S} s after ${mb(capped.settledMb)}; ${Math.round(capped.ticksPerSecond).toLocaleString('en-US')} ticks/s`,
      verdict: capped.peakMb <= BOUND_MB ? 'met' : 'not met',
    },
    {
      figure: 'soak as fast as possible (catch-up), default heap',
      aim: `RSS under ${BOUND_MB} MB`,
      measured: `peak ${mb(fast.peakMb)} (anonymous ${mb(fast.peakAnonMb)}), ${SETTLE_S} s after ${mb(fast.settledMb)}; ${Math.round(fast.ticksPerSecond).toLocaleString('en-US')} ticks/s`,
      verdict: fast.peakMb <= BOUND_MB ? 'met' : 'not met',
    },
  ];
  return {
    table: {
      header: [
        'run',
        'RSS at start',
        'RSS at 1/4, 1/2, 3/4, all of the day',
        'peak RSS (VmHWM)',
        'peak anonymous RSS',
        `RSS ${SETTLE_S} s after`,
        'JS heap used then',
        'speed',
        `vs the ${BOUND_MB} MB bound`,
      ],
      rows,
    },
    notes: [
      `${TICKS.toLocaleString('en-US')} BTC-USD ticks one second apart (one UTC day, 2026-01-01) from core/ingest/simulator.ts (seed ${TICKS}), written as a CSV and run with \`stock-stream run --source replay:<csv> --speed ${PACED_SPEED} (then 0)\` in a fresh data dir each time: ingest, process, aggregate, notify, edge (virtual) and the dashboard in one process on the embedded log and SQLite. Done when ingest has published, the processor processed and the aggregator applied every tick (their /metrics counters).`,
      `RSS is VmRSS from /proc/<pid>/status every 250 ms during the replay (the quarter columns are the first sample past each quarter of the ticks) and every second for ${SETTLE_S} s after it; peak is VmHWM; anonymous is the largest RssAnon sampled (heap, stacks, native buffers: what a memory limit cannot reclaim, unlike the ~35 MB of the node binary mapped from disk); JS heap used is prom-client's nodejs_heap_size_used_bytes from /metrics at the end, so anonymous minus heap is native memory (SQLite page caches, buffers, the allocator).`,
      `The bound is ${BOUND_MB} MB, the MemoryMax that firmware-config/systemd/stock-stream-edge.service gives the single-node appliance: past it the kernel kills the service. The paced run (×${PACED_SPEED}, about ${Math.round(TICKS / PACED_SPEED)} s for the day) shows the working set tick after tick: a leak would grow with the ticks, so the second half of the day is compared with the first. The as-fast-as-possible runs are the worst case, a backlog poured in at once; there Node, with no limit it knows of, grows its heap freely, so the same run is repeated with V8's old space capped at ${CAPPED_HEAP_MB} MB (70 % of the bound, the rule cdk8s/roles.ts maxOldSpaceMb applies to the pods).`,
      'Speed counts from spawn (start-up included) to the last tick aggregated; the as-fast-as-possible figure is how fast the appliance catches up on a backlog. RSS at start is the first sample once /healthz answers, when the replay has already begun.',
    ],
    summary,
  };
}
