// The cluster's options: one schema gives the type, the defaults (sized from the number of Pis) and the errors.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Every role the image runs as `stock-stream <role>`; `notify` and `web` are generated before their commands land. */
export const ROLES = ['ingest', 'process', 'aggregate', 'notify', 'web', 'edge'] as const;
export type Role = (typeof ROLES)[number];

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label (lowercase letters, digits, "-")');
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const quantity = z.string().regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/, 'must be a size like 10Gi or 512Mi');

/** An image reference with a version tag other than latest, or a digest: what runs is what was reviewed. */
export const pinnedImage = z.string().refine(isPinned, { message: 'must be pinned: name:version (not :latest) or name@sha256:digest' });

export function isPinned(image: string): boolean {
  if (image.includes('@')) return /^[^@\s]+@sha256:[0-9a-f]{64}$/.test(image);
  const tag = /:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(image.slice(image.lastIndexOf('/') + 1))?.[1];
  return tag !== undefined && tag !== 'latest';
}

const KafkaOptions = z
  .object({
    /** Set: an existing Kafka (host:port list); no StatefulSet, the config points at it. */
    external: z
      .array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port'))
      .min(1)
      .optional(),
    /** Combined broker/controller nodes: 1 or 3 (a quorum of 2 cannot lose a node). Default: 3 from 3 Pis up, else 1. */
    replicas: z.number().int().optional(),
    image: pinnedImage.default('apache/kafka:4.1.1'),
    /** Persistent volume per broker (the specification: 10 GiB). */
    storage: quantity.default('10Gi'),
    /** JVM heap of each broker; the container limit leaves room for metaspace, threads and direct buffers. */
    heapMb: z.number().int().min(256).max(2048).default(512),
    /** KRaft cluster id (22 characters, base64url); default: derived from the namespace so synth is repeatable. */
    clusterId: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/, 'must be 22 base64url characters, not starting with "-"')
      .optional(),
    /** Partitions per topic (the config schema's kafka.partitions). */
    partitions: z.number().int().min(1).max(1000).optional(),
    /** Replication of the project's topics; default: the number of brokers (external: 1). */
    replicationFactor: z.number().int().min(1).max(5).optional(),
    /** The Job that creates the project's topics (also against an external Kafka). */
    createTopics: z.boolean().default(true),
    /**
     * SASL/SCRAM on the client listener, users created when a broker's storage is first formatted
     * (docs/deployment.md#who-may-talk-to-the-bus); none: a plaintext listener anyone in the cluster may use.
     * Default: scram-sha-512 for the cluster's own Kafka, none for an external one.
     */
    auth: z.enum(['scram-sha-512', 'scram-sha-256', 'none']).optional(),
    /** The SCRAM user the roles and the topics Job log in as (its password: the Secret's kafka-sasl-password). */
    username: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')
      .default('stock-stream'),
  })
  .strict()
  .prefault({});

const RedisOptions = z
  .object({
    /** Set: an existing Redis (redis:// or rediss:// URL); no StatefulSet. */
    external: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
      .optional(),
    /** The official image; 7.x speaks the same protocol as the tests' redis-server. */
    image: pinnedImage.default('redis:7.4.6-bookworm'),
    storage: quantity.default('10Gi'),
    /** Redis refuses writes past this (noeviction): aggregates are never dropped silently. */
    maxMemoryMb: z.number().int().min(32).max(2048).default(256),
    /** requirepass from the Secret's redis-password (the cluster's own Redis); false: no password. */
    requirePassword: z.boolean().default(true),
  })
  .strict()
  .prefault({});

const EdgeOptions = z
  .object({
    /** The node label that marks the Pi with the OLED and LEDs (firmware-config/k3s/ sets it). */
    nodeLabel: z
      .string()
      .regex(/^[A-Za-z0-9./-]+=[A-Za-z0-9._-]*$/, 'must be key=value')
      .default('stock-stream.io/edge=true'),
    /**
     * privileged: works on plain k3s, narrowed to the i2c and gpio groups by a non-root user;
     * device-plugin: no privilege, /dev/i2c-1 from a device plugin's resource, GPIO through sysfs hostPaths.
     */
    deviceAccess: z.enum(['privileged', 'device-plugin']).default('privileged'),
    /** The extended resource a device plugin advertises for /dev/i2c-1 (device-plugin mode). */
    devicePluginResource: z
      .string()
      .regex(/^[a-z0-9.-]+\/[A-Za-z0-9._-]+$/, 'must be domain/name')
      .default('smarter-devices/i2c-1'),
    /** Group ids of i2c and gpio on the edge node (`getent group i2c gpio`); Raspberry Pi OS: 998 and 997. */
    i2cGroupId: z.number().int().min(1).max(65535).default(998),
    gpioGroupId: z.number().int().min(1).max(65535).default(997),
    /** EDGE_HARDWARE of the edge pod: required makes a missing OLED or GPIO a crash, visible in kubectl. */
    hardware: z.enum(['auto', 'required', 'virtual']).default('required'),
  })
  .strict()
  .prefault({});

export const ClusterOptionsSchema = z
  .object({
    namespace: dnsLabel.default('stock-stream'),
    clusterDomain: z
      .string()
      .regex(/^[a-z0-9.-]+$/)
      .default('cluster.local'),
    /** Raspberry Pis in the k3s cluster: sets the default replicas and the Kafka size. */
    nodes: z.number().int().min(1, 'must be 1 to 5').max(5, 'must be 1 to 5').default(1),
    /** The project's image (Dockerfile at the repository root), pinned. */
    image: pinnedImage.default('ghcr.io/stock-stream/stock-stream:0.1.0'),
    /** Unset: the cluster's default StorageClass (k3s: local-path). */
    storageClassName: dnsLabel.optional(),
    /** The roles deployed; all by default. */
    roles: z
      .array(z.enum(ROLES))
      .min(1)
      .default([...ROLES]),
    /** Replicas per role; defaults from `nodes` (process: one per Pi up to the partitions). ingest and edge run once. */
    replicas: z.partialRecord(z.enum(ROLES), z.number().int().min(0).max(20)).default({}),
    kafka: KafkaOptions,
    redis: RedisOptions,
    edge: EdgeOptions,
    ingress: z
      .object({
        enabled: z.boolean().default(true),
        /** Unset: any host name (the Pi's LAN address). */
        host: z
          .string()
          .regex(/^[a-z0-9.-]+$/, 'must be a host name')
          .optional(),
        /** Traefik ships with k3s. */
        className: z.string().min(1).default('traefik'),
      })
      .strict()
      .prefault({}),
    /** NetworkPolicies: which pods may reach Kafka, Redis and the dashboard (docs/deployment.md#who-may-talk-to-the-bus). */
    network: z
      .object({
        policies: z.boolean().default(true),
        /** Where the LAN's browsers come from: the dashboard port admits these (less the pod network) and the ingress controller. */
        lanCidrs: z
          .array(z.string().regex(CIDR, 'must be an IPv4 CIDR like 192.168.1.0/24'))
          .min(1)
          .default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']),
        /** The pods' own network (k3s: --cluster-cidr, 10.42.0.0/16), cut out of lanCidrs so a pod is not the LAN. */
        podCidr: z.string().regex(CIDR, 'must be an IPv4 CIDR like 10.42.0.0/16').default('10.42.0.0/16'),
        /** The namespace of the ingress controller (k3s' Traefik: kube-system). */
        ingressNamespace: dnsLabel.default('kube-system'),
      })
      .strict()
      .prefault({}),
    /** The Secret the pods read their secrets from (created by the user, never by synth). */
    secretName: dnsLabel.default('stock-stream-secrets'),
    /** Extra config.yaml values (the project's config schema), merged over the cluster's own. */
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type ClusterOptionsInput = z.input<typeof ClusterOptionsSchema>;

/** The options with every default decided. */
export interface ClusterOptions extends Omit<z.output<typeof ClusterOptionsSchema>, 'kafka' | 'replicas'> {
  readonly kafka: z.output<typeof KafkaOptions> & {
    readonly auth: 'scram-sha-512' | 'scram-sha-256' | 'none';
    readonly replicas: 1 | 3;
    readonly replicationFactor: number;
    readonly partitions: number;
  };
  readonly replicas: Readonly<Record<Role, number>>;
}

/** A bad option, reported as one line naming it. */
export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}

export const DEFAULT_PARTITIONS = 3;

export function resolveOptions(input: ClusterOptionsInput = {}): ClusterOptions {
  const parsed = ClusterOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    throw new OptionsError(
      `${key.map(String).join('.') || '(options)'}: ${issue.code === 'unrecognized_keys' ? 'unknown option' : issue.message}`,
    );
  }
  const options = parsed.data;
  const kafkaReplicas = options.kafka.replicas ?? (options.nodes >= 3 ? 3 : 1);
  if (options.kafka.external === undefined) {
    if (kafkaReplicas === 2) {
      throw new OptionsError(
        'kafka.replicas: 2 cannot form a KRaft quorum that survives losing a node (a majority of 2 is 2); use 1, or 3 on 3 or more Pis',
      );
    }
    if (kafkaReplicas !== 1 && kafkaReplicas !== 3) throw new OptionsError(`kafka.replicas: must be 1 or 3, got ${kafkaReplicas}`);
    if (kafkaReplicas > options.nodes) {
      throw new OptionsError(`kafka.replicas: 3 brokers need 3 Pis (one each), but nodes is ${options.nodes}`);
    }
  }
  const brokers = options.kafka.external === undefined ? kafkaReplicas : Infinity;
  const replicationFactor = options.kafka.replicationFactor ?? (options.kafka.external === undefined ? kafkaReplicas : 1);
  if (replicationFactor > brokers) {
    throw new OptionsError(`kafka.replicationFactor: ${replicationFactor} is more than the ${kafkaReplicas} broker(s)`);
  }
  const partitions = options.kafka.partitions ?? DEFAULT_PARTITIONS;
  const replicas = defaultReplicas(options.nodes, partitions);
  for (const [role, count] of Object.entries(options.replicas) as [Role, number][]) {
    if ((role === 'ingest' || role === 'edge') && count > 1) {
      throw new OptionsError(
        role === 'ingest'
          ? 'replicas.ingest: at most 1 (two ingestors would publish every price twice)'
          : 'replicas.edge: at most 1 (one OLED and one set of LEDs)',
      );
    }
    replicas[role] = count;
  }
  return {
    ...options,
    kafka: {
      ...options.kafka,
      auth: options.kafka.auth ?? (options.kafka.external === undefined ? 'scram-sha-512' : 'none'),
      replicas: kafkaReplicas as 1 | 3,
      replicationFactor,
      partitions,
    },
    replicas,
  };
}

function defaultReplicas(nodes: number, partitions: number): Record<Role, number> {
  return {
    ingest: 1,
    // A processor beyond the partitions would sit idle in the group.
    process: Math.min(nodes, partitions),
    aggregate: 1,
    notify: 1,
    web: nodes >= 3 ? 2 : 1,
    edge: 1,
  };
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Options for `npm run synth`: a JSON file (CDK8S_OPTIONS_FILE) and environment overrides on top
 * (CDK8S_NAMESPACE, CDK8S_NODES, CDK8S_IMAGE, CDK8S_KAFKA_BROKERS, CDK8S_REDIS_URL, CDK8S_INGRESS_HOST).
 */
export function optionsFromEnv(env: Env, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): ClusterOptions {
  let input: Record<string, unknown> = {};
  const file = env.CDK8S_OPTIONS_FILE?.trim();
  if (file) {
    let text: string;
    try {
      text = readFile(file);
    } catch (error) {
      throw new OptionsError(`CDK8S_OPTIONS_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    try {
      input = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new OptionsError(`CDK8S_OPTIONS_FILE: ${file} is not valid JSON: ${(error as Error).message}`);
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new OptionsError(`CDK8S_OPTIONS_FILE: ${file} must hold a JSON object of options`);
    }
  }
  const set = (path: string[], value: unknown) => {
    let node = input;
    for (const part of path.slice(0, -1)) {
      if (node[part] === null || typeof node[part] !== 'object') node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  };
  const text = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  if (text('CDK8S_NAMESPACE')) set(['namespace'], text('CDK8S_NAMESPACE'));
  if (text('CDK8S_NODES')) {
    const nodes = Number(text('CDK8S_NODES'));
    if (!Number.isInteger(nodes))
      throw new OptionsError(`CDK8S_NODES: must be a whole number of Pis (1 to 5), got ${JSON.stringify(text('CDK8S_NODES'))}`);
    set(['nodes'], nodes);
  }
  if (text('CDK8S_IMAGE')) set(['image'], text('CDK8S_IMAGE'));
  if (text('CDK8S_KAFKA_BROKERS'))
    set(
      ['kafka', 'external'],
      text('CDK8S_KAFKA_BROKERS')!
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    );
  if (text('CDK8S_REDIS_URL')) set(['redis', 'external'], text('CDK8S_REDIS_URL'));
  if (text('CDK8S_INGRESS_HOST')) set(['ingress', 'host'], text('CDK8S_INGRESS_HOST'));
  return resolveOptions(input as ClusterOptionsInput);
}
