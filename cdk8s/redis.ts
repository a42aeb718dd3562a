// Redis (the official image) with a persistent volume, append-only-file persistence and a password from the Secret.
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { REDIS_NAME, REDIS_PORT } from './app-config.js';
import { labelsFor, podSecurity, resources, restrictedContainer, volumeClaim } from './common.js';
import { secretEnv } from './kafka.js';
import type { ClusterOptions } from './options.js';

/** The redis user in the official image. */
export const REDIS_UID = 999;

export function redisArgs(options: ClusterOptions): string[] {
  return [
    '--appendonly',
    'yes',
    // Every write fsynced before Redis answers: the notification ledger's entries (written before the
    // signals batch is committed) and `sent` marks, and the aggregates, survive a power cut too.
    // "everysec" could lose the last second of them. Redis fsyncs once per round of its event loop,
    // for all clients together, and the appliance writes a few times a second: docs/deployment.md.
    '--appendfsync',
    'always',
    '--dir',
    '/data',
    '--protected-mode',
    'no',
    '--maxmemory',
    `${options.redis.maxMemoryMb}mb`,
    // Aggregates are never evicted silently: past maxmemory a write fails and the aggregator says so.
    '--maxmemory-policy',
    'noeviction',
    // $(REDIS_PASSWORD) is expanded by the kubelet from the Secret: the pod spec holds only the name.
    ...(options.redis.requirePassword ? ['--requirepass', '$(REDIS_PASSWORD)'] : []),
  ];
}

export class Redis extends Construct {
  constructor(scope: Construct, id: string, options: ClusterOptions) {
    super(scope, id);
    const namespace = options.namespace;
    const labels = labelsFor(REDIS_NAME);
    const port = k8s.IntOrString.fromString('redis');

    new k8s.KubeService(this, 'service', {
      metadata: { name: REDIS_NAME, namespace, labels },
      spec: { selector: labels, ports: [{ name: 'redis', port: REDIS_PORT, targetPort: port }] },
    });

    new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: REDIS_NAME, namespace, labels },
      spec: {
        serviceName: REDIS_NAME,
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            enableServiceLinks: false,
            automountServiceAccountToken: false,
            securityContext: podSecurity(REDIS_UID),
            containers: [
              {
                name: 'redis',
                image: options.redis.image,
                imagePullPolicy: 'IfNotPresent',
                args: redisArgs(options),
                ...(options.redis.requirePassword
                  ? {
                      env: [
                        secretEnv(options, 'REDIS_PASSWORD'),
                        // redis-cli (the probes) reads its password from here, not from its arguments.
                        { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: options.secretName, key: 'redis-password' } } },
                      ],
                    }
                  : {}),
                ports: [{ name: 'redis', containerPort: REDIS_PORT }],
                // maxmemory plus room for the AOF rewrite's fork (copy-on-write) and buffers.
                resources: resources({
                  cpu: { request: '50m', limit: '1' },
                  memoryMi: { request: options.redis.maxMemoryMb, limit: options.redis.maxMemoryMb * 2 },
                }),
                securityContext: { ...restrictedContainer(true), runAsUser: REDIS_UID },
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
                readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 10, timeoutSeconds: 3 },
                livenessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
              },
            ],
          },
        },
        volumeClaimTemplates: [volumeClaim('data', options.redis.storage, options.storageClassName)],
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: REDIS_NAME, namespace, labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } },
    });
  }
}
