// Runs every bench module (or one) and writes a Markdown report: the machine, a summary of the
// issues' aims beside the figures, then one table per module. Ratios against peers, not absolute claims.
//   npm run bench            (node --import tsx bench/run.ts)
//   npm run bench -- replay  (one module: indicators, replay, processor, latency, probe, edge, aggregate, memory, storage or soak)
// The report goes to bench-report.md at the repository root (BENCH_REPORT=<file> elsewhere) and to stdout.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Bench } from './bench.js';
import { aggregateBench } from './aggregate.bench.js';
import { edgeBench } from './edge.bench.js';
import { indicatorsBench } from './indicators.bench.js';
import { memoryBench } from './memory.bench.js';
import { latencyBench, processorBench } from './processor.bench.js';
import { probeBench } from './probe.bench.js';
import { replayBench } from './replay.bench.js';
import { machine, report, rowsSection, type ModuleResult } from './report.js';
import { soakBench } from './soak.bench.js';
import { storageBench } from './storage.bench.js';

// Add a module here: an async function returning rows (or a section), and what it measures.
const benches: Record<string, { bench: Bench; about: string }> = {
  indicators: {
    bench: indicatorsBench,
    about:
      'ns per update over 1,000,000 BTC-like prices: our streaming classes (allocation-free `updateRaw` and the nullable `update()`), a hand-written loop (the floor), and the npm packages trading-signals and technicalindicators, in turns, median of the rounds.',
  },
  replay: {
    bench: replayBench,
    about:
      '`stock-stream replay --signals-only` over a 1,000,000-row CSV (the real command, its own ticks/s), against reading the same file with a plain loop and against the peer libraries computing the same five indicators in-process.',
  },
  processor: {
    bench: processorBench,
    about:
      'The processor draining a 200,000-tick backlog through a real Kafka broker started by the bench (indicators, rules, exactly-once transactions), against a kafkajs consume-parse-produce loop with no indicators (at least once).',
  },
  latency: {
    bench: latencyBench,
    about:
      'Tick publish to output received, one tick every 10 ms (100 ticks/s) through a real Kafka broker: our processor against kafkajs loops with and without the same transactions, in rotating turns after a warm-up round.',
  },
  probe: {
    bench: probeBench,
    about:
      'Tick to indicator record and to recommendation from outside, as a user probe would time them: `stock-stream process` as its own process on a real Kafka broker, a separate kafkajs client publishing one tick every 10 ms and reading the records, the recommendations (and, as the floor, its own ticks) back; timed in the first 30 s after the broker started and again after 90 s of traffic (steady).',
  },
  edge: {
    bench: edgeBench,
    about:
      'One 128x64 OLED frame rendered by the core against a plain fill of the 1 KiB framebuffer, and the I2C bytes of a whole frame and of a typical update through the SSD1306 emulator.',
  },
  aggregate: {
    bench: aggregateBench,
    about:
      'The aggregation core (day figures, 1m/5m/1h candles, TWAP) over 200,000 ticks in batches of 500, store I/O left out, against a plain loop into typed arrays.',
  },
  memory: {
    bench: memoryBench,
    about:
      'Resident memory of each role as a real process (`stock-stream <role>` on the embedded log, the simulator at 100 ticks/s), and of `stock-stream run` with every role in one process.',
  },
  storage: {
    bench: storageBench,
    about:
      'Bytes `stock-stream run --source simulator` writes to storage (its own /proc write_bytes, scaled to a day) at 1 and 10 ticks/s: commits grouped every embeddedLog.commitIntervalSeconds against every write committed on its own.',
  },
  soak: {
    bench: soakBench,
    about:
      'A day of 1-second BTC-USD ticks (86,400, from the core simulator) replayed through `stock-stream run` (ingest, process, aggregate, notify, edge, web on the embedded log and SQLite), paced at ×2000 and then as fast as the bus takes them, RSS sampled throughout.',
  },
};

const only = process.argv[2];
if (only !== undefined && !(only in benches)) {
  console.error(`bench: unknown module '${only}'; one of ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
const started = new Date();
const host = machine();
const modules: ModuleResult[] = [];
const failed: Array<{ name: string; error: string }> = [];
for (const [name, { bench, about }] of Object.entries(benches)) {
  if (only !== undefined && name !== only) continue;
  console.error(`bench: ${name}...`);
  const began = performance.now();
  try {
    const result = await bench();
    const section = Array.isArray(result) ? rowsSection(name, result) : result;
    modules.push({ name, about, section, seconds: (performance.now() - began) / 1000 });
  } catch (error) {
    // One module failing (no Java for Kafka, say) still leaves the others' figures in the report.
    console.error(`bench: ${name} failed: ${(error as Error).stack ?? String(error)}`);
    failed.push({ name, error: (error as Error).message });
  }
}
const markdown = report({ started, machine: host, modules, failed, ...(only ? { only } : {}) });
const file = resolve(process.env.BENCH_REPORT ?? join(import.meta.dirname, '..', 'bench-report.md'));
writeFileSync(file, `${markdown}\n`);
console.log(markdown);
console.error(`bench: report written to ${file}`);
process.exitCode = failed.length > 0 ? 1 : 0;
