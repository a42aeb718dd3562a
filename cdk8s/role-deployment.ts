// One role of the image as a Deployment: config mounted, secrets by reference, probes on /healthz, a PDB.
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { AppConfigMap, CONFIG_DIR, CONFIG_FILE, DATA_DIR, type AppConfig } from './app-config.js';
import { APP_UID, labelsFor, podSecurity, resources, restrictedContainer } from './common.js';
import { edgePodPieces } from './edge-access.js';
import type { ClusterOptions, Role } from './options.js';
import { ROLE_PROFILES, nodeOptions, secretsFor } from './roles.js';

export { APP_UID };
export const HTTP_PORT_NAME = 'http';

export function roleName(role: Role): string {
  return `stock-stream-${role}`;
}

export class RoleDeployment extends Construct {
  constructor(scope: Construct, id: string, role: Role, options: ClusterOptions, config: AppConfig) {
    super(scope, id);
    const profile = ROLE_PROFILES[role];
    const name = roleName(role);
    const labels = { ...labelsFor(name), 'app.kubernetes.io/component': role };
    const replicas = options.replicas[role];
    const edge = role === 'edge' ? edgePodPieces(options) : undefined;
    const port = k8s.IntOrString.fromString(HTTP_PORT_NAME);
    const healthz = (periodSeconds: number, failureThreshold: number): k8s.Probe => ({
      httpGet: { path: '/healthz', port },
      periodSeconds,
      timeoutSeconds: 5,
      failureThreshold,
    });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, namespace: options.namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        strategy: profile.recreate
          ? { type: 'Recreate' }
          : {
              type: 'RollingUpdate',
              rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
            },
        template: {
          // A new config.yaml rolls the pods (a mounted ConfigMap changes under a running process otherwise).
          metadata: { labels, annotations: { 'stock-stream.io/config-sha256': config.sha256 } },
          spec: {
            enableServiceLinks: false,
            automountServiceAccountToken: false,
            securityContext: podSecurity(APP_UID, edge?.podSecurity ?? {}),
            ...(edge ? { nodeSelector: edge.nodeSelector } : {}),
            ...(replicas > 1
              ? {
                  topologySpreadConstraints: [
                    {
                      maxSkew: 1,
                      topologyKey: 'kubernetes.io/hostname',
                      whenUnsatisfiable: 'ScheduleAnyway',
                      labelSelector: { matchLabels: labels },
                    },
                  ],
                }
              : {}),
            terminationGracePeriodSeconds: 15,
            containers: [
              {
                name: role,
                image: options.image,
                imagePullPolicy: 'IfNotPresent',
                args: [role],
                env: [
                  { name: 'STOCK_STREAM_CONFIG', value: CONFIG_FILE },
                  { name: 'NODE_ENV', value: 'production' },
                  { name: 'NODE_OPTIONS', value: nodeOptions(role) },
                  ...secretsFor(role).map((secret) => ({
                    name: secret.env,
                    // optional: a key the user did not set leaves the variable unset, and the role runs without it.
                    valueFrom: { secretKeyRef: { name: options.secretName, key: secret.key, optional: true } },
                  })),
                  ...(edge?.env ?? []),
                ],
                ports: [{ name: HTTP_PORT_NAME, containerPort: config.parsed.http.port }],
                resources: resources(profile.sizing, edge?.extendedResources),
                securityContext: edge?.containerSecurity ?? { ...restrictedContainer(true), runAsUser: APP_UID },
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'data', mountPath: DATA_DIR },
                  { name: 'tmp', mountPath: '/tmp' },
                  ...(edge?.volumeMounts ?? []),
                ],
                // Start-up waits for Kafka (kafka.connectTimeoutMs) before it listens; give a Pi time.
                startupProbe: healthz(5, 36),
                readinessProbe: healthz(10, 3),
                // /healthz checks the dependencies too: only a role failing for 3 minutes is restarted.
                livenessProbe: healthz(20, 9),
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: AppConfigMap.NAME } },
              // Scratch space (the ingest outbox lives here: it survives a container restart, not a reschedule).
              { name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('512Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
              ...(edge?.volumes ?? []),
            ],
          },
        },
      },
    });

    // The web role's health panel polls each role's /healthz through this name (config web.roles).
    if (role !== 'web') {
      new k8s.KubeService(this, 'service', {
        metadata: { name, namespace: options.namespace, labels },
        spec: { selector: labels, ports: [{ name: HTTP_PORT_NAME, port: config.parsed.http.port, targetPort: port }] },
      });
    }

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name, namespace: options.namespace, labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } },
    });
  }
}
