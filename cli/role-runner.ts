// Runs one long-running role from the CLI: opens the bus, starts the role, serves /healthz and
// /metrics, and on SIGINT/SIGTERM stops the role, the server and the bus, in that order.
import { openBus } from '../platform/bus/select.js';
import { buildOpsApp, createMetricsRegistry } from '../platform/ops/ops-server.js';
import type { RoleSpec, RunningRole } from '../platform/role.js';
import type { CommandContext } from './command.js';
import { version } from './version.js';

export async function runRole(context: CommandContext, spec: RoleSpec): Promise<number> {
  const config = context.config();
  const logger = context.logger().child({ role: spec.name });
  const bus = await openBus(config, logger);
  const registry = createMetricsRegistry(spec.name);
  let role: RunningRole | undefined;
  let app: ReturnType<typeof buildOpsApp> | undefined;
  try {
    role = await spec.start({ config, logger, bus, registry, version: version() });
    app = buildOpsApp({
      role: spec.name,
      version: version(),
      registry,
      checks: [{ name: bus.kind === 'kafka' ? 'kafka' : 'embedded-log', check: () => bus.health() }, ...role.checks],
    });
    await listenOn(config.http.port, app.listen({ host: config.http.host, port: config.http.port }));
    logger.info(
      { bus: bus.kind, port: config.http.port },
      `${spec.name} running; health on http://${config.http.host}:${config.http.port}/healthz`,
    );
    await untilAborted(context.signal);
    logger.info('stopping');
    return 0;
  } finally {
    await role?.stop();
    await app?.close();
    await bus.close();
  }
}

/** Waits for a server to listen, or fails with one line that says what to do (another port when it is taken). */
export async function listenOn(port: number, listening: Promise<unknown>): Promise<void> {
  await listening.catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      error.code === 'EADDRINUSE' ? `port ${port} is in use: set PORT to another` : `cannot serve on port ${port}: ${error.message}`,
    );
  });
}

/** Resolves when `signal` aborts (SIGINT/SIGTERM), at once if it already has. */
export async function untilAborted(signal: AbortSignal): Promise<void> {
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
}
