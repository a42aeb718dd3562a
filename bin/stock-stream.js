#!/usr/bin/env node
// The process entry: owns signals and the exit code; everything else lives in cli/main.
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write('stock-stream: the TypeScript is not built yet; run `npm install` (or `npm run build`)\n');
  process.exit(1);
}

const SHUTDOWN_GRACE_MS = 5000;
const controller = new AbortController();
let signals = 0;

function onSignal(signal) {
  signals += 1;
  if (signals > 1) process.exit(130);
  controller.abort(signal);
  // Flush, commit and close must finish within the grace period; past it, exit anyway.
  setTimeout(() => {
    process.stderr.write(`stock-stream: did not stop within ${SHUTDOWN_GRACE_MS / 1000} s of ${signal}; exiting\n`);
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await main(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
process.exitCode = code;
// Leftover handles (a client's timers) must not keep a finished command alive.
setTimeout(() => process.exit(code), 1000).unref();
