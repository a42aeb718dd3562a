// Resident memory of each role as the real process a user starts: `stock-stream <role>` on the
// embedded log in a temp data dir, the simulator at 100 ticks/s, RSS read from /proc/<pid>/status.
// The six separate roles run side by side on one data dir (so each has its real load), then
// `stock-stream run` alone in another. Peak is the kernel's high-water mark (VmHWM) over the whole
// life of the process, start-up included; steady is the median VmRSS after the warm-up.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../cdk8s/options.js';
import { nodeOptions, ROLE_PROFILES } from '../cdk8s/roles.js';
import type { BenchSection, SummaryLine } from './bench.js';
import { applianceMemoryMaxMb, counter, ensureBuilt, mb, median, readRss, sleep, startRole, type RoleProcess } from './roles.js';

const WARM_UP_S = Number(process.env.BENCH_MEMORY_WARM_UP_S ?? 15);
const MEASURE_S = Number(process.env.BENCH_MEMORY_MEASURE_S ?? 15);
/** Issue 7: "the edge process's resident memory (aim <= 80 MB)". */
const EDGE_AIM_MB = 80;
/** firmware-config/systemd/stock-stream-edge.service's MemoryMax for the single-node appliance. */
const APPLIANCE_MAX_MB = applianceMemoryMaxMb();

interface Measured {
  role: RoleProcess;
  steady: number[];
  steadyAnon: number[];
  peakMb: number;
  processed: number;
  exit: string;
}

const ROLES: Array<{ name: keyof typeof ROLE_PROFILES; args: string[] }> = [
  { name: 'ingest', args: ['ingest', '--source', 'simulator'] },
  { name: 'process', args: ['process'] },
  { name: 'aggregate', args: ['aggregate'] },
  { name: 'notify', args: ['notify'] },
  { name: 'edge', args: ['edge'] },
  { name: 'web', args: ['web'] },
];

/**
 * Samples every second for the warm-up and the measuring window, then stops each with SIGTERM
 * (whatever happens) and notes any that did not exit 0.
 */
async function sample(roles: RoleProcess[], ticksFrom: RoleProcess): Promise<Measured[]> {
  try {
    const steady = roles.map((): number[] => []);
    const steadyAnon = roles.map((): number[] => []);
    const alive = () => {
      for (const role of roles) if (role.server.exited()) throw new Error(`bench: ${role.name} exited; see ${role.server.logFile}`);
    };
    for (let s = 0; s < WARM_UP_S; s++) {
      await sleep(1000);
      alive();
    }
    const ticksBefore = await counter(ticksFrom.port, 'stock_stream_process_ticks_total');
    for (let s = 0; s < MEASURE_S; s++) {
      await sleep(1000);
      alive();
      for (const [i, role] of roles.entries()) {
        const rss = readRss(role.server.child.pid!);
        steady[i]!.push(rss.rssMb);
        steadyAnon[i]!.push(rss.anonMb);
      }
    }
    const processed = (await counter(ticksFrom.port, 'stock_stream_process_ticks_total')) - ticksBefore;
    const peaks = roles.map((role) => readRss(role.server.child.pid!).hwmMb);
    return roles.map((role, i) => ({ role, steady: steady[i]!, steadyAnon: steadyAnon[i]!, peakMb: peaks[i]!, processed, exit: '' }));
  } finally {
    await Promise.all(roles.map((role) => role.server.stop('SIGTERM')));
  }
}

/** "", or how a role ended when SIGTERM did not stop it cleanly (exit 0). */
function exitNote(role: RoleProcess): string {
  const { exitCode, signalCode } = role.server.child;
  return exitCode === 0 ? '' : `did not stop cleanly on SIGTERM (${signalCode ?? `exit ${exitCode}`}); see ${role.server.logFile}`;
}

export async function memoryBench(): Promise<BenchSection> {
  ensureBuilt();
  const env = { MESSAGE_INTERVAL: '0.01', EDGE_HARDWARE: 'virtual' };
  const split = mkdtempSync(join(tmpdir(), 'bench-memory-roles-'));
  // Each role as deployed: with the NODE_OPTIONS its k3s container gets (heap cap, young generation).
  const start = (name: string, args: readonly string[]) =>
    startRole(name, args, { ...env, STOCK_STREAM_DATA_DIR: split, NODE_OPTIONS: nodeOptions(name as Role) }, join(split, `${name}.log`));
  // The ingestor first, so the others find the log's topics; then the rest together.
  const ingest = await start('ingest', ROLES[0]!.args);
  const others = await Promise.allSettled(ROLES.slice(1).map(({ name, args }) => start(name, args)));
  const roles = [ingest, ...others.flatMap((started) => (started.status === 'fulfilled' ? [started.value] : []))];
  const failed = others.find((started) => started.status === 'rejected');
  if (failed) {
    await Promise.all(roles.map((role) => role.server.stop('SIGTERM')));
    throw failed.reason;
  }
  const separate = (await sample(roles, roles[1]!)).map((m) => ({ ...m, exit: exitNote(m.role) }));

  const single = mkdtempSync(join(tmpdir(), 'bench-memory-run-'));
  // As the systemd unit starts it: the heap capped at 70 % of its MemoryMax.
  const run = await startRole(
    'run',
    ['run', '--source', 'simulator'],
    { ...env, STOCK_STREAM_DATA_DIR: single, NODE_OPTIONS: `--max-old-space-size=${Math.floor(APPLIANCE_MAX_MB * 0.7)}` },
    join(single, 'run.log'),
  );
  const [whole] = (await sample([run], run)).map((m) => ({ ...m, exit: exitNote(m.role) }));

  const limitOf = (name: string) =>
    name in ROLE_PROFILES
      ? `${ROLE_PROFILES[name as keyof typeof ROLE_PROFILES].sizing.memoryMi.limit} Mi (k8s limit)`
      : `${APPLIANCE_MAX_MB} M (systemd MemoryMax)`;
  const rows = [...separate, whole!].map(({ role, steady, steadyAnon, peakMb, processed, exit }) => [
    role.name === 'run' ? 'run (all roles, one process)' : role.name,
    mb(median(steady)),
    mb(median(steadyAnon)),
    `${mb(Math.min(...steady))} to ${mb(Math.max(...steady))}`,
    mb(peakMb),
    `${(role.readyMs / 1000).toFixed(1)} s`,
    limitOf(role.name),
    [
      role.name === 'edge'
        ? `aim <= ${EDGE_AIM_MB} MB: ${peakMb <= EDGE_AIM_MB ? 'met' : 'not met'} (peak), ${median(steady) <= EDGE_AIM_MB ? 'met' : 'not met'} (steady)`
        : '',
      role.name === 'process' || role.name === 'run' ? `${Math.round(processed / MEASURE_S)} ticks/s processed meanwhile` : '',
      exit,
    ]
      .filter((note) => note !== '')
      .join('; '),
  ]);
  const edge = separate.find((m) => m.role.name === 'edge')!;
  const edgeSteady = median(edge.steady);
  const edgeVerdict = edge.peakMb <= EDGE_AIM_MB ? 'met' : 'not met';
  const summary: SummaryLine[] = [
    {
      figure: 'edge resident memory (issue 7)',
      aim: `<= ${EDGE_AIM_MB} MB`,
      measured: `steady ${mb(edgeSteady)}, peak ${mb(edge.peakMb)}`,
      verdict: edgeVerdict,
    },
    {
      figure: '`run` resident memory (all roles, one process)',
      aim: `<= ${APPLIANCE_MAX_MB} MB (systemd MemoryMax)`,
      measured: `steady ${mb(median(whole!.steady))}, peak ${mb(whole!.peakMb)}`,
      verdict: whole!.peakMb <= APPLIANCE_MAX_MB ? 'met' : 'not met',
    },
  ];
  return {
    table: {
      header: ['role', 'steady RSS (median)', 'of which anonymous', 'steady range', 'peak RSS (VmHWM)', 'ready after', 'budget', 'note'],
      rows,
    },
    notes: [
      `Each role is \`node bin/stock-stream.js <role>\` (dist/ built first) with the NODE_OPTIONS its k3s container gets (cdk8s/roles.ts nodeOptions; \`run\` with the systemd unit's heap cap) on the embedded log in a fresh temp data dir, MESSAGE_INTERVAL=0.01 (the simulator at 100 ticks/s), EDGE_HARDWARE=virtual, LOG_LEVEL=warn. The six roles run side by side on one data dir; \`run --source simulator\` runs alone afterwards in its own.`,
      `RSS is VmRSS from /proc/<pid>/status, sampled every second for ${MEASURE_S} s after a ${WARM_UP_S} s warm-up (steady: median and range of those samples); peak is VmHWM, the kernel's high-water mark over the whole life of the process, start-up included. Anonymous is RssAnon (heap, stacks, native buffers); the rest of the RSS is mostly the node binary and libraries mapped from disk (~35 MB), which a memory limit can reclaim. Each is stopped with SIGTERM.`,
      `The edge against issue 7's aim (<= ${EDGE_AIM_MB} MB), judged on the peak: **${edgeVerdict}**. Steady ${mb(edgeSteady)} (${edgeSteady <= EDGE_AIM_MB ? 'under' : 'over'} the aim), peak ${mb(edge.peakMb)} (${edge.peakMb <= EDGE_AIM_MB ? 'under' : 'over'} it).`,
      'Budgets: the memory limits cdk8s/roles.ts gives each role on k3s, and for `run` the MemoryMax of firmware-config/systemd/stock-stream-edge.service. Node sizes its heap lazily when memory is plentiful, as here (no cgroup limit), so RSS under a limit may settle lower.',
    ],
    summary,
  };
}
