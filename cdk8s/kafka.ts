// Kafka in KRaft mode (no ZooKeeper): 1 or 3 combined broker/controller nodes of the official apache/kafka image.
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { KAFKA_CLIENT_PORT, KAFKA_CONTROLLER_PORT, KAFKA_HEADLESS, KAFKA_NAME, kafkaPodHost } from './app-config.js';
import { labelsFor, podSecurity, resources, restrictedContainer, volumeClaim, type Sizing } from './common.js';
import type { ClusterOptions } from './options.js';

/** appuser in the apache/kafka image. */
export const KAFKA_UID = 1000;
export const KAFKA_DATA_MOUNT = '/var/lib/kafka/data';
/** A folder below the mount: a fresh ext4 volume has lost+found at its root, which Kafka would take for a bad log dir. */
export const KAFKA_LOG_DIR = `${KAFKA_DATA_MOUNT}/kraft`;
/** The label the StatefulSet controller puts on each pod (Kubernetes 1.28+): its ordinal, which is its KRaft node id. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The KRaft cluster id: given, or derived from the namespace so that synth is repeatable. */
export function kafkaClusterId(options: ClusterOptions): string {
  if (options.kafka.clusterId) return options.kafka.clusterId;
  const id = createHash('sha256').update(`stock-stream/${options.namespace}`).digest().subarray(0, 16).toString('base64url');
  // The storage tool would read an id starting with "-" as an option.
  return id.startsWith('-') ? `A${id.slice(1)}` : id;
}

export function quorumVoters(options: ClusterOptions): string {
  return Array.from({ length: options.kafka.replicas }, (_, id) => `${id}@${kafkaPodHost(options, id)}:${KAFKA_CONTROLLER_PORT}`).join(',');
}

/**
 * The broker settings as the image takes them: KAFKA_<PROPERTY> with "." as "_" (the image writes
 * server.properties from them). Node id and advertised host come from the pod itself.
 */
export function kafkaEnvironment(options: ClusterOptions): k8s.EnvVar[] {
  const replicas = options.kafka.replicas;
  const minIsr = replicas === 3 ? 2 : 1;
  const headless = `${KAFKA_HEADLESS}.${options.namespace}.svc.${options.clusterDomain}`;
  const scram = scramMechanism(options);
  const settings: Record<string, string> = {
    CLUSTER_ID: kafkaClusterId(options),
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: `CLIENT://:${KAFKA_CLIENT_PORT},CONTROLLER://:${KAFKA_CONTROLLER_PORT}`,
    // $(POD_NAME) is expanded by the kubelet from the variable defined before it.
    KAFKA_ADVERTISED_LISTENERS: `CLIENT://$(POD_NAME).${headless}:${KAFKA_CLIENT_PORT}`,
    // The controllers' port stays plaintext: the NetworkPolicy lets only the Kafka pods reach it.
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: `CONTROLLER:PLAINTEXT,CLIENT:${scram ? 'SASL_PLAINTEXT' : 'PLAINTEXT'}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_INTER_BROKER_LISTENER_NAME: 'CLIENT',
    ...(scram
      ? {
          KAFKA_SASL_ENABLED_MECHANISMS: scram,
          KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL: scram,
          // The brokers' own login (to each other), written by the init container from the Secret.
          KAFKA_OPTS: `-Djava.security.auth.login.config=${KAFKA_JAAS_FILE}`,
        }
      : {}),
    // A static quorum: the image formats storage with the cluster id alone, which a fixed voter set needs.
    KAFKA_CONTROLLER_QUORUM_VOTERS: quorumVoters(options),
    KAFKA_LOG_DIRS: KAFKA_LOG_DIR,
    KAFKA_NUM_PARTITIONS: String(options.kafka.partitions),
    KAFKA_DEFAULT_REPLICATION_FACTOR: String(replicas),
    KAFKA_MIN_INSYNC_REPLICAS: String(minIsr),
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: String(replicas),
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: String(replicas),
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: String(minIsr),
    // Topics come from the Job and the roles' ensureTopics, never from a typo in a client.
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_LOG_RETENTION_HOURS: '168',
    // Smaller segments than the 1 GiB default so retention frees space on a 10 GiB volume.
    KAFKA_LOG_SEGMENT_BYTES: String(128 * 1024 * 1024),
    KAFKA_HEAP_OPTS: `-Xms${options.kafka.heapMb}m -Xmx${options.kafka.heapMb}m`,
  };
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'KAFKA_NODE_ID', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${POD_INDEX_LABEL}']` } } },
    ...Object.entries(settings).map(([name, value]) => ({ name, value })),
  ];
}

/** SCRAM-SHA-512 (or -256) as Kafka names it, or undefined for a plaintext listener. */
export function scramMechanism(options: ClusterOptions): 'SCRAM-SHA-512' | 'SCRAM-SHA-256' | undefined {
  return options.kafka.auth === 'none' ? undefined : (options.kafka.auth.toUpperCase() as 'SCRAM-SHA-512' | 'SCRAM-SHA-256');
}

/** The user the brokers log in to each other as (its password: the Secret's kafka-broker-password). */
export const KAFKA_BROKER_USER = 'kafka-broker';
export const KAFKA_JAAS_DIR = '/etc/kafka/jaas';
export const KAFKA_JAAS_FILE = `${KAFKA_JAAS_DIR}/server-jaas.conf`;

/**
 * The init container's script: formats the broker's storage (once; --ignore-formatted afterwards)
 * with the SCRAM users in its first metadata records, as `kafka-storage format --add-scram` does,
 * and writes the brokers' own JAAS login into a memory volume. The image's start-up then finds the
 * storage formatted and leaves it. Passwords are refused unless they are plain characters: SCRAM's
 * `[name=..,password=..]` and JAAS quoting have no escapes.
 */
export function kafkaInitScript(options: ClusterOptions): string {
  const mechanism = scramMechanism(options)!;
  const props = '/tmp/format.properties';
  return [
    'set -eu',
    'for name in KAFKA_BROKER_PASSWORD KAFKA_SASL_PASSWORD; do',
    '  value=$(printenv "$name")',
    `  case "$value" in *[!A-Za-z0-9._~+/=-]*|'') echo "secret ${options.secretName}: $(echo "$name" | tr A-Z_ a-z-) must be letters, digits and ._~+/=- (e.g. openssl rand -hex 24)" >&2; exit 1;; esac`,
    'done',
    `cat > ${props} <<EOF`,
    'process.roles=broker,controller',
    'node.id=${KAFKA_NODE_ID}',
    'controller.quorum.voters=${KAFKA_CONTROLLER_QUORUM_VOTERS}',
    'controller.listener.names=CONTROLLER',
    'listeners=${KAFKA_LISTENERS}',
    'listener.security.protocol.map=${KAFKA_LISTENER_SECURITY_PROTOCOL_MAP}',
    'inter.broker.listener.name=CLIENT',
    `sasl.enabled.mechanisms=${mechanism}`,
    `sasl.mechanism.inter.broker.protocol=${mechanism}`,
    'log.dirs=${KAFKA_LOG_DIRS}',
    'EOF',
    [
      `/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" --config ${props}`,
      `--add-scram "${mechanism}=[name=${KAFKA_BROKER_USER},password=$KAFKA_BROKER_PASSWORD]"`,
      `--add-scram "${mechanism}=[name=${options.kafka.username},password=$KAFKA_SASL_PASSWORD]"`,
    ].join(' '),
    `printf 'KafkaServer {\n  org.apache.kafka.common.security.scram.ScramLoginModule required\n  username="${KAFKA_BROKER_USER}"\n  password="%s";\n};\n' "$KAFKA_BROKER_PASSWORD" > ${KAFKA_JAAS_FILE}`,
  ].join('\n');
}

/** Heap + 768 MiB for metaspace, code cache, threads and direct buffers: about a third of a 4 GB Pi. */
export function kafkaSizing(options: ClusterOptions): Sizing {
  return { cpu: { request: '250m', limit: '2' }, memoryMi: { request: options.kafka.heapMb + 384, limit: options.kafka.heapMb + 768 } };
}

export class Kafka extends Construct {
  constructor(scope: Construct, id: string, options: ClusterOptions) {
    super(scope, id);
    const namespace = options.namespace;
    const labels = labelsFor(KAFKA_NAME);
    const scram = scramMechanism(options);
    const ports = [
      { name: 'kafka', port: KAFKA_CLIENT_PORT, targetPort: k8s.IntOrString.fromString('kafka') },
      { name: 'controller', port: KAFKA_CONTROLLER_PORT, targetPort: k8s.IntOrString.fromString('controller') },
    ];

    new k8s.KubeService(this, 'headless', {
      metadata: { name: KAFKA_HEADLESS, namespace, labels },
      spec: {
        clusterIp: 'None',
        // Controllers must find each other by name before any is ready: the quorum forms first.
        publishNotReadyAddresses: true,
        selector: labels,
        ports,
      },
    });

    new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: KAFKA_NAME, namespace, labels },
      spec: {
        serviceName: KAFKA_HEADLESS,
        replicas: options.kafka.replicas,
        // All at once: a controller waits for a majority of voters, which ordered start-up would never give it.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels },
          spec: {
            enableServiceLinks: false,
            automountServiceAccountToken: false,
            securityContext: podSecurity(KAFKA_UID),
            terminationGracePeriodSeconds: 60,
            ...(options.kafka.replicas > 1 ? { affinity: spreadAcrossNodes(labels) } : {}),
            ...(scram
              ? {
                  initContainers: [
                    {
                      name: 'scram-users',
                      image: options.kafka.image,
                      imagePullPolicy: 'IfNotPresent',
                      command: ['bash', '-c', kafkaInitScript(options)],
                      env: [
                        // The broker's settings, less its heap and its JAAS login (which this container writes).
                        ...kafkaEnvironment(options).filter(
                          (variable) => variable.name !== 'KAFKA_HEAP_OPTS' && variable.name !== 'KAFKA_OPTS',
                        ),
                        { name: 'KAFKA_HEAP_OPTS', value: '-Xms64m -Xmx192m' },
                        { name: 'LOG_DIR', value: '/tmp/kafka-logs' },
                        // Not optional: a broker without its users would refuse every role.
                        secretEnv(options, 'KAFKA_BROKER_PASSWORD'),
                        secretEnv(options, 'KAFKA_SASL_PASSWORD'),
                      ],
                      resources: resources({ cpu: { request: '100m', limit: '1' }, memoryMi: { request: 256, limit: 384 } }),
                      securityContext: { ...restrictedContainer(true), runAsUser: KAFKA_UID },
                      volumeMounts: [
                        { name: 'data', mountPath: KAFKA_DATA_MOUNT },
                        { name: 'jaas', mountPath: KAFKA_JAAS_DIR },
                        { name: 'tmp', mountPath: '/tmp' },
                      ],
                    },
                  ],
                  volumes: [
                    { name: 'jaas', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
                    { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
                  ],
                }
              : {}),
            containers: [
              {
                name: 'kafka',
                image: options.kafka.image,
                imagePullPolicy: 'IfNotPresent',
                env: kafkaEnvironment(options),
                ports: [
                  { name: 'kafka', containerPort: KAFKA_CLIENT_PORT },
                  { name: 'controller', containerPort: KAFKA_CONTROLLER_PORT },
                ],
                resources: resources(kafkaSizing(options)),
                // The image writes server.properties under /opt/kafka/config at start: the root stays writable.
                securityContext: { ...restrictedContainer(false), runAsUser: KAFKA_UID },
                volumeMounts: [
                  { name: 'data', mountPath: KAFKA_DATA_MOUNT },
                  ...(scram ? [{ name: 'jaas', mountPath: KAFKA_JAAS_DIR, readOnly: true }] : []),
                ],
                // A JVM on a Pi needs time; the client port opens once the broker has joined the quorum.
                startupProbe: { tcpSocket: { port: k8s.IntOrString.fromString('kafka') }, periodSeconds: 10, failureThreshold: 30 },
                readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('kafka') }, periodSeconds: 10, failureThreshold: 3 },
                livenessProbe: {
                  tcpSocket: { port: k8s.IntOrString.fromString('controller') },
                  periodSeconds: 20,
                  timeoutSeconds: 5,
                  failureThreshold: 6,
                },
              },
            ],
          },
        },
        volumeClaimTemplates: [volumeClaim('data', options.kafka.storage, options.storageClassName)],
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: KAFKA_NAME, namespace, labels },
      // Of 3 voters 2 keep the quorum; a single broker may be evicted (or a drain would never finish).
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } },
    });
  }
}

/** A variable read from a key of the user's Secret (SOME_PASSWORD -> some-password), required: the pod waits for it. */
export function secretEnv(options: ClusterOptions, name: string): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: options.secretName, key: name.toLowerCase().replace(/_/g, '-'), optional: false } } };
}

export function spreadAcrossNodes(labels: Record<string, string>): k8s.Affinity {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' }],
    },
  };
}
