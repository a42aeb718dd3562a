// Runs every bench module and prints one table per group: ns/update and ratios, not absolute claims.
//   npm run bench            (node --import tsx bench/run.ts)
//   npm run bench -- replay  (one module: indicators, replay, processor, latency, edge or aggregate)
import type { Bench, BenchRow } from './bench.js';
import { aggregateBench } from './aggregate.bench.js';
import { edgeBench } from './edge.bench.js';
import { indicatorsBench } from './indicators.bench.js';
import { latencyBench, processorBench } from './processor.bench.js';
import { replayBench } from './replay.bench.js';

// Add a module here: an async function returning rows.
const benches: Record<string, Bench> = {
  indicators: indicatorsBench,
  replay: replayBench,
  processor: processorBench,
  latency: latencyBench,
  edge: edgeBench,
  aggregate: aggregateBench,
};

const OURS = 'stock-stream';
const FLOOR = 'hand loop';

function table(rows: BenchRow[]): string {
  const header = ['group', 'implementation', 'ns/update', `÷ ${FLOOR}`, `÷ ${OURS}`, 'note'];
  const lines = [header];
  for (const group of [...new Set(rows.map((r) => r.group))]) {
    const members = rows.filter((r) => r.group === group);
    const floor = members.find((r) => r.implementation === FLOOR)?.nsPerUpdate;
    const ours = members.find((r) => r.implementation === OURS)?.nsPerUpdate;
    for (const row of members) {
      lines.push([
        group,
        row.implementation,
        row.unit === 'ms p99' ? `${(row.nsPerUpdate / 1e6).toFixed(1)} ms p99` : row.nsPerUpdate.toFixed(1),
        floor === undefined ? '' : `${(row.nsPerUpdate / floor).toFixed(2)}×`,
        ours === undefined ? '' : `${(row.nsPerUpdate / ours).toFixed(2)}×`,
        row.note ?? '',
      ]);
    }
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return lines.map((l) => l.map((cell, c) => (c < 2 || c === 5 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

const only = process.argv[2];
for (const [name, bench] of Object.entries(benches)) {
  if (only !== undefined && name !== only) continue;
  console.log(`\n${name} (node ${process.version}, ${process.arch})`);
  console.log(table(await bench()));
}
