// What every role shares: the long-running part (start, stop, health) and how the composition root
// (cli/) starts one with its dependencies, so one command can run a role alone and `run` all of them.
import type { Registry } from 'prom-client';
import type { Bus } from './bus/bus.js';
import type { Config } from './config/schema.js';
import type { HealthCheck, HealthStatus } from './health.js';
import type { Logger } from './log.js';

/** The class at the heart of each role: Ingestor, Processor, Aggregator, Notifier, EdgeDriver, Dashboard. */
export interface Role {
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): HealthStatus | Promise<HealthStatus>;
}

export interface RoleDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly bus: Bus;
  readonly registry: Registry;
  /** The package version, for what a role announces (MQTT device info). */
  readonly version: string;
}

export interface RunningRole {
  readonly checks: readonly HealthCheck[];
  stop(): Promise<void>;
}

/** How to start a role from its dependencies; each role's own folder exports one (its `role.ts`). */
export interface RoleSpec {
  readonly name: string;
  start(dependencies: RoleDependencies): Promise<RunningRole>;
}
