// The Markdown report `npm run bench` writes: the machine, a summary of the issues' aims beside this
// run's figures, then one section per module with its table and notes.
import { spawnSync } from 'node:child_process';
import { cpus, freemem, totalmem, release } from 'node:os';
import type { BenchRow, BenchSection, SummaryLine } from './bench.js';

const OURS = 'stock-stream';
const FLOOR = 'hand loop';

export interface ModuleResult {
  name: string;
  /** What the module measures and against whom, one line. */
  about: string;
  section: BenchSection;
  seconds: number;
}

/** A ns/update table (the indicator, replay, processor, latency, edge and aggregate modules) as a section. */
export function rowsSection(module: string, rows: BenchRow[]): BenchSection {
  const header = ['group', 'implementation', 'ns per update (or p99)', `÷ ${FLOOR}`, `÷ ${OURS}`, 'note'];
  const lines: string[][] = [];
  for (const group of [...new Set(rows.map((r) => r.group))]) {
    const members = rows.filter((r) => r.group === group);
    const floor = members.find((r) => r.implementation === FLOOR)?.nsPerUpdate;
    const ours = members.find((r) => r.implementation === OURS)?.nsPerUpdate;
    for (const row of members) {
      lines.push([
        group,
        row.implementation,
        row.unit === 'ms p99' ? `${(row.nsPerUpdate / 1e6).toFixed(1)} ms p99` : `${row.nsPerUpdate.toFixed(1)} ns`,
        floor === undefined ? '' : `${(row.nsPerUpdate / floor).toFixed(2)}×`,
        ours === undefined ? '' : `${(row.nsPerUpdate / ours).toFixed(2)}×`,
        row.note ?? '',
      ]);
    }
  }
  return { table: { header, rows: lines }, notes: [], summary: summaryOf(module, rows) };
}

const find = (rows: BenchRow[], group: string | RegExp, implementation: string) =>
  rows.find((r) => (typeof group === 'string' ? r.group === group : group.test(r.group)) && r.implementation === implementation);

/** Issue 3: ns per update, and within 1.5× of the hand loop. */
const INDICATOR_AIMS: Record<string, number> = { 'SMA(20)': 10, 'EMA(20)': 10, 'RSI(14)': 20, 'MACD(12,26,9)': 20, 'Bollinger(20,2)': 40 };

/** The summary lines a ns/update module contributes: the aims of issues 3 and 7. */
function summaryOf(module: string, rows: BenchRow[]): SummaryLine[] {
  const lines: SummaryLine[] = [];
  if (module === 'indicators') {
    for (const [group, aimNs] of Object.entries(INDICATOR_AIMS)) {
      const ours = find(rows, group, OURS);
      const hand = find(rows, group, FLOOR);
      if (!ours || !hand) continue;
      const ratio = ours.nsPerUpdate / hand.nsPerUpdate;
      const peers = ['trading-signals', 'technicalindicators']
        .map((peer) => find(rows, group, peer))
        .filter((row): row is BenchRow => row !== undefined)
        .map((row) => `${row.implementation} ${(row.nsPerUpdate / ours.nsPerUpdate).toFixed(1)}× our time`)
        .join(', ');
      const nsMet = ours.nsPerUpdate <= aimNs;
      const ratioMet = ratio <= 1.5;
      lines.push({
        figure: `${group} update (issue 3)`,
        aim: `<= ${aimNs} ns and <= 1.5× hand loop`,
        measured: `${ours.nsPerUpdate.toFixed(1)} ns, ${ratio.toFixed(2)}× hand loop; ${peers}`,
        verdict: nsMet && ratioMet ? 'met' : 'not met',
      });
    }
  } else if (module === 'replay') {
    const ours = find(rows, /^replay/, OURS);
    if (ours) {
      const rate = 1e9 / ours.nsPerUpdate;
      lines.push({
        figure: 'replay --signals-only, 1M-row CSV (issue 3)',
        aim: '>= 2,000,000 ticks/s',
        measured: `${Math.round(rate).toLocaleString('en-US')} ticks/s`,
        verdict: rate >= 2e6 ? 'met' : 'not met',
      });
    }
  } else if (module === 'processor') {
    const ours = find(rows, /^throughput/, OURS);
    if (ours) {
      const rate = 1e9 / ours.nsPerUpdate;
      lines.push({
        figure: 'processor throughput through Kafka (issue 3)',
        aim: '>= 20,000 ticks/s',
        measured: `${Math.round(rate).toLocaleString('en-US')} ticks/s`,
        verdict: rate >= 20_000 ? 'met' : 'not met',
      });
    }
  } else if (module === 'latency') {
    const signals = find(rows, /latency/, 'stock-stream (recommendations)');
    const outputs = find(rows, /latency/, OURS);
    if (signals?.figures) {
      const { p50Ms, p99Ms } = signals.figures as { p50Ms: number; p99Ms: number };
      lines.push({
        figure: 'tick-to-recommendation latency at 100 ticks/s (issues 3, 15)',
        aim: 'p99 <= 25 ms',
        measured: `p50 ${p50Ms.toFixed(1)} ms, p99 ${p99Ms.toFixed(1)} ms`,
        verdict: p99Ms <= 25 ? 'met' : 'not met',
      });
    } else {
      lines.push({
        figure: 'tick-to-recommendation latency at 100 ticks/s (issues 3, 15)',
        aim: 'p99 <= 25 ms',
        measured: 'no recommendation in the window',
        verdict: 'not met',
      });
    }
    if (outputs?.figures) {
      const { p50Ms, p99Ms } = outputs.figures as { p50Ms: number; p99Ms: number };
      lines.push({
        figure: 'tick-to-indicators latency at 100 ticks/s',
        aim: '(none; every tick)',
        measured: `p50 ${p50Ms.toFixed(1)} ms, p99 ${p99Ms.toFixed(1)} ms`,
        verdict: 'no aim',
      });
    }
  } else if (module === 'probe') {
    // The aim is judged on the steady window; the first 30 s after the broker starts are reported beside it.
    const figures = (window: string, implementation: string) =>
      find(rows, new RegExp(`^from outside.*, ${window}$`), implementation)?.figures as
        { p50Ms: number; p99Ms: number; count: number; missing: number; refused: number } | undefined;
    const ms = (f: { p50Ms: number; p99Ms: number }) => `p50 ${f.p50Ms.toFixed(1)} ms, p99 ${f.p99Ms.toFixed(1)} ms`;
    const steady = figures('steady', 'stock-stream (recommendations)');
    const records = figures('steady', OURS);
    const cold = figures('first 30 s', 'stock-stream (recommendations)');
    const whole = figures('whole run', 'stock-stream (recommendations)');
    const wholeRecords = figures('whole run', OURS);
    if (steady && records) {
      const met = steady.count > 0 && steady.p99Ms <= 25 && records.missing === 0 && records.refused === 0;
      lines.push({
        figure: 'tick-to-recommendation latency from outside, `stock-stream process` on its own, 100 ticks/s (issue 15)',
        aim: 'p99 <= 25 ms, every tick, no transaction retried',
        measured:
          `${steady.count > 0 ? ms(steady) : 'no recommendation in the window'} (records ${ms(records)}` +
          `${records.missing > 0 ? `, ${records.missing} missing` : ''}; ${records.refused} retried)` +
          (cold && cold.count > 0 ? `; first 30 s after the broker started: ${ms(cold)}` : '') +
          (whole && whole.count > 0 ? `; the whole 2 minutes: ${ms(whole)}, ${wholeRecords?.refused ?? 0} retried` : ''),
        verdict: met ? 'met' : 'not met',
      });
    }
  } else if (module === 'edge') {
    const ours = find(rows, /^OLED frame/, OURS);
    if (ours) {
      const ms = ours.nsPerUpdate / 1e6;
      lines.push({
        figure: 'edge frame render 128x64 (issue 7)',
        aim: '<= 1 ms',
        measured: `${ms.toFixed(3)} ms`,
        verdict: ms <= 1 ? 'met' : 'not met',
      });
    }
  } else if (module === 'aggregate') {
    const ours = find(rows, /^aggregate/, OURS);
    const hand = find(rows, /^aggregate/, FLOOR);
    if (ours && hand)
      lines.push({
        figure: 'aggregate a tick (core, no store I/O)',
        aim: '(none)',
        measured: `${(ours.nsPerUpdate / 1000).toFixed(2)} µs, ${(ours.nsPerUpdate / hand.nsPerUpdate).toFixed(1)}× hand loop`,
        verdict: 'no aim',
      });
  }
  return lines;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(header: string[], rows: string[][]): string {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function machine(): Array<[string, string]> {
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: import.meta.dirname, encoding: 'utf8' });
  const cores = cpus();
  return [
    ['CPU', `${cores[0]?.model ?? 'unknown'} (${cores.length} cores seen by Node)`],
    ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free at the start`],
    ['OS', `${process.platform} ${release()} ${process.arch}`],
    ['Node', process.version],
    ['commit', commit.status === 0 ? commit.stdout.trim() : 'unknown'],
  ];
}

export function report(options: {
  started: Date;
  machine: Array<[string, string]>;
  modules: ModuleResult[];
  failed: Array<{ name: string; error: string }>;
  only?: string;
}): string {
  const out: string[] = [];
  out.push(`# Stock Stream benchmark report`, '');
  out.push(
    `${options.started.toISOString()}: \`npm run bench${options.only ? ` -- ${options.only}` : ''}\`, ${options.modules.map((m) => `${m.name} (${m.seconds.toFixed(0)} s)`).join(', ')}.`,
    '',
  );
  out.push(
    '## Machine',
    '',
    markdownTable(
      ['', ''],
      options.machine.map(([k, v]) => [k, v]),
    ),
    '',
  );
  const summary = options.modules.flatMap((m) => m.section.summary.map((line) => [line.figure, line.aim, line.measured, line.verdict]));
  if (summary.length > 0)
    out.push('## Summary: the aims of the issues', '', markdownTable(['figure', 'aim', 'measured', 'verdict'], summary), '');
  for (const failure of options.failed) out.push(`## ${failure.name}: FAILED`, '', '```', failure.error, '```', '');
  for (const m of options.modules) {
    out.push(`## ${m.name}`, '', m.about, '', markdownTable(m.section.table.header, m.section.table.rows), '');
    for (const note of m.section.notes) out.push(`- ${note}`);
    if (m.section.notes.length > 0) out.push('');
  }
  return out.join('\n');
}
