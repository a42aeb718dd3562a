// The test runner: starts the real Kafka, Redis and Mosquitto once, runs every uvu test file against
// them, stops them, and ends with one line "N passed, N failed, N skipped". A skipped test fails the run.
//   node --import tsx test/run.ts [pattern]     (pattern: a regex over the test files' paths)
//   node --import tsx test/run.ts --cluster [pattern]
// The *.cluster.test.ts files start a three-node Kafka cluster of their own and take minutes: they
// run only with --cluster (npm run test:cluster; npm test runs them after the rest), without the shared servers.
import { parse } from 'uvu/parse';
import { services, stopServices } from './support/services.js';

type Runner = () => Promise<[string | true, number, number, number]>;
type Group = [string | null, ...Runner[]];
const globals = globalThis as unknown as { UVU_DEFER: number; UVU_QUEUE: Group[]; UVU_INDEX: number };

const RUN_TIMEOUT_MS = 25 * 60_000;
const clusterRun = process.argv[2] === '--cluster';
const filter = new RegExp(process.argv[clusterRun ? 3 : 2] ?? '', 'i');
const CLUSTER_FILE = /\.cluster\.test\.ts$/;

const watchdog = setTimeout(() => {
  console.error(`test run: still running after ${RUN_TIMEOUT_MS / 60_000} min; stopping`);
  void stopServices().finally(() => process.exit(2));
}, RUN_TIMEOUT_MS);
watchdog.unref();

// Interrupted (Ctrl-C, a CI job's timeout): stop the servers rather than leave them running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`test run: ${signal}; stopping the services`);
    void stopServices().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

let exitCode = 1;
try {
  const suites = (await parse('test', '\\.test\\.ts$')).suites.filter(
    (suite) => filter.test(suite.name) && CLUSTER_FILE.test(suite.name) === clusterRun,
  );
  if (suites.length === 0) throw new Error(`no ${clusterRun ? 'cluster ' : ''}test file matches ${filter.source}`);
  if (!clusterRun) await services();

  globals.UVU_DEFER = 1;
  globals.UVU_QUEUE = [];
  await import('uvu');
  for (const [index, suite] of suites.entries()) {
    globals.UVU_INDEX = index;
    globals.UVU_QUEUE.push([suite.name]);
    await import(suite.file);
  }

  let total = 0;
  let passed = 0;
  let skipped = 0;
  const failures: string[] = [];
  const began = Date.now();
  for (const [name, ...runners] of globals.UVU_QUEUE) {
    if (name !== null) process.stdout.write(`\n${name}\n`);
    for (const runner of runners) {
      try {
        const [errors, ran, skips, max] = await runner();
        total += max;
        passed += ran;
        skipped += skips;
        if (errors !== true) failures.push(errors);
      } catch (error) {
        total += 1;
        failures.push(`${name}: a suite hook failed: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }
  for (const failure of failures) console.log(`\n${failure}`);
  const failed = total - passed - skipped;
  console.log(`\ntest files: ${suites.length}, duration ${((Date.now() - began) / 1000).toFixed(1)} s`);
  if (skipped > 0) console.log('a skipped test (or a test.only) is not a pass: the run fails');
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  exitCode = failed === 0 && skipped === 0 && failures.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`test run: ${(error as Error).message}`);
  console.log('0 passed, 1 failed');
} finally {
  await stopServices();
}
process.exit(exitCode);
