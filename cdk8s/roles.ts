// What differs between the roles: size, secrets, how they roll out. One image, the role as argument.
import { ENV_OVERRIDES } from '../platform/config/schema.js';
import type { Sizing } from './common.js';
import type { Role } from './options.js';

/** A secret of the config schema, read by a pod from a key of the user's Secret, never by value. */
export interface SecretRef {
  /** The variable the config loader reads (platform/config/schema.ts ENV_OVERRIDES). */
  readonly env: string;
  /** The config key it sets. */
  readonly path: string;
  /** The key in the Secret: the variable's name in lower case with dashes (SMTP_PASSWORD -> smtp-password). */
  readonly key: string;
}

/** The roles that talk to the bus (the edge reads signals from it too) and those that use Redis. */
export const KAFKA_ROLES: readonly Role[] = ['ingest', 'process', 'aggregate', 'notify', 'web', 'edge'];
export const REDIS_ROLES: readonly Role[] = ['aggregate', 'notify', 'web'];

/** Which roles read the secrets of each config section (MQTT: the edge's Home Assistant bridge). */
const SECRET_OWNERS: Readonly<Record<string, readonly Role[]>> = {
  ingest: ['ingest'],
  notify: ['notify'],
  web: ['web'],
  mqtt: ['edge'],
  kafka: KAFKA_ROLES,
  redis: REDIS_ROLES,
};

/** Every secret the schema knows, straight from it: a new one cannot be forgotten here. */
export const SECRETS: readonly SecretRef[] = ENV_OVERRIDES.filter((o) => o.secret).map((o) => ({
  env: o.env,
  path: o.path,
  key: o.env.toLowerCase().replace(/_/g, '-'),
}));

export function secretOwners(secret: SecretRef): readonly Role[] {
  return SECRET_OWNERS[secret.path.split('.')[0]!] ?? [];
}

export function secretsFor(role: Role): SecretRef[] {
  return SECRETS.filter((secret) => secretOwners(secret).includes(role));
}

export interface RoleProfile {
  readonly sizing: Sizing;
  /** Recreate: never two at once (one price feed; one OLED). */
  readonly recreate: boolean;
  /**
   * V8's young generation in MB per semi-space, where the default (16) costs more memory than the
   * role's light allocation needs: the edge then peaks at ~77 MB instead of ~90 (docs/benchmarks.md).
   */
  readonly semiSpaceMb?: number;
}

const small: Sizing = { cpu: { request: '50m', limit: '500m' }, memoryMi: { request: 96, limit: 256 } };

export const ROLE_PROFILES: Readonly<Record<Role, RoleProfile>> = {
  ingest: { sizing: small, recreate: true },
  process: { sizing: { cpu: { request: '100m', limit: '1' }, memoryMi: { request: 128, limit: 384 } }, recreate: false },
  aggregate: { sizing: small, recreate: false },
  notify: { sizing: small, recreate: false },
  web: { sizing: small, recreate: false },
  edge: { sizing: { cpu: { request: '50m', limit: '500m' }, memoryMi: { request: 96, limit: 192 } }, recreate: true, semiSpaceMb: 1 },
};

/** V8's heap a little under the container limit, so Node collects before the kernel kills it. */
export function maxOldSpaceMb(sizing: Sizing): number {
  return Math.floor(sizing.memoryMi.limit * 0.7);
}

/** NODE_OPTIONS for a role's container (and for the bench, which measures each role as deployed). */
export function nodeOptions(role: Role): string {
  const profile = ROLE_PROFILES[role];
  return [
    `--max-old-space-size=${maxOldSpaceMb(profile.sizing)}`,
    ...(profile.semiSpaceMb ? [`--max-semi-space-size=${profile.semiSpaceMb}`] : []),
  ].join(' ');
}
