// The Job that creates the project's topics before the roles need them, with the configured partitions and replication.
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import type { Config } from '../platform/config/schema.js';
import { labelsFor, podSecurity, resources, restrictedContainer } from './common.js';
import { KAFKA_UID, secretEnv } from './kafka.js';
import type { ClusterOptions } from './options.js';

export interface TopicPlan {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
}

/**
 * The topics every role expects (platform/bus/kafka-bus.ts ensureTopics): ticks, indicators, signals,
 * the DLQ and the dashboard notifications, and the processor's state changelog, compacted, with as many
 * partitions as the ticks.
 */
export function topicPlan(config: Config): TopicPlan[] {
  const { partitions, replicationFactor } = config.kafka;
  const plain = (name: string): TopicPlan => ({ name, partitions, replicationFactor, configs: {} });
  return [
    plain(config.topics.ticks),
    plain(config.topics.indicators),
    plain(config.topics.signals),
    plain(config.topics.dlq),
    plain(config.topics.notifications),
    {
      name: config.topics.processorState,
      partitions,
      replicationFactor,
      // The same settings the processor's own ensureTopics uses: roll and clean often, a restore reads little.
      configs: { 'cleanup.policy': 'compact', 'segment.ms': String(10 * 60_000), 'min.cleanable.dirty.ratio': '0.1' },
    },
  ];
}

/** The arguments of one `kafka-topics.sh` call per topic; --if-not-exists makes a rerun harmless. */
export function createTopicArgs(topic: TopicPlan, bootstrap: string): string[] {
  return [
    '--bootstrap-server',
    bootstrap,
    '--create',
    '--if-not-exists',
    '--topic',
    topic.name,
    '--partitions',
    String(topic.partitions),
    '--replication-factor',
    String(topic.replicationFactor),
    ...Object.entries(topic.configs).flatMap(([key, value]) => ['--config', `${key}=${value}`]),
  ];
}

/** The client settings file of the topics tool when the brokers want SASL/SCRAM (written at run time: the password is in it). */
export const TOPICS_CLIENT_CONFIG = '/tmp/client.properties';

export function topicsScript(topics: readonly TopicPlan[], bootstrap: string, sasl?: { mechanism: string; username: string }): string {
  const tool = sasl ? `/opt/kafka/bin/kafka-topics.sh --command-config ${TOPICS_CLIENT_CONFIG}` : '/opt/kafka/bin/kafka-topics.sh';
  return [
    'set -eu',
    ...(sasl
      ? [
          `case "\${KAFKA_SASL_PASSWORD:-}" in *[!A-Za-z0-9._~+/=-]*|'') echo "KAFKA_SASL_PASSWORD (the Secret's kafka-sasl-password) must be set, letters, digits and ._~+/=-" >&2; exit 1;; esac`,
          `printf 'security.protocol=SASL_PLAINTEXT\\nsasl.mechanism=${sasl.mechanism.toUpperCase()}\\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${sasl.username}" password="%s";\\n' "$KAFKA_SASL_PASSWORD" > ${TOPICS_CLIENT_CONFIG}`,
        ]
      : []),
    // The brokers may still be forming their quorum: wait (the Job's deadline bounds it).
    `until ${tool} --bootstrap-server ${bootstrap} --list > /dev/null; do echo "waiting for Kafka at ${bootstrap}"; sleep 5; done`,
    ...topics.map((topic) => `${tool} ${createTopicArgs(topic, bootstrap).join(' ')}`),
    `${tool} --bootstrap-server ${bootstrap} --describe --topic '${topics.map((t) => t.name.replace(/\./g, '\\.')).join('|')}'`,
  ].join('\n');
}

export class KafkaTopicsJob extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, options: ClusterOptions, config: Config) {
    super(scope, id);
    const topics = topicPlan(config);
    const bootstrap = config.kafka.brokers!.join(',');
    const { username, mechanism } = config.kafka.sasl;
    const sasl = username !== undefined ? { mechanism, username } : undefined;
    const script = topicsScript(topics, bootstrap, sasl);
    // A Job's pod template cannot change: a new plan is a new Job (the old one expires after a day).
    this.name = `kafka-topics-${createHash('sha256').update(script).digest('hex').slice(0, 8)}`;
    const labels = labelsFor('kafka-topics');
    new k8s.KubeJob(this, 'job', {
      metadata: { name: this.name, namespace: options.namespace, labels },
      spec: {
        backoffLimit: 4,
        activeDeadlineSeconds: 1800,
        ttlSecondsAfterFinished: 86_400,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'OnFailure',
            enableServiceLinks: false,
            automountServiceAccountToken: false,
            securityContext: podSecurity(KAFKA_UID),
            containers: [
              {
                name: 'kafka-topics',
                image: options.kafka.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['bash', '-c', script],
                env: [
                  { name: 'KAFKA_HEAP_OPTS', value: '-Xms64m -Xmx192m' },
                  // kafka-run-class.sh creates its log folder; /tmp is the one writable place.
                  { name: 'LOG_DIR', value: '/tmp/kafka-logs' },
                  ...(sasl ? [secretEnv(options, 'KAFKA_SASL_PASSWORD')] : []),
                ],
                resources: resources({ cpu: { request: '100m', limit: '1' }, memoryMi: { request: 256, limit: 384 } }),
                securityContext: { ...restrictedContainer(true), runAsUser: KAFKA_UID },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
          },
        },
      },
    });
  }
}
