// Synthesizes the cdk8s chart in-process and gives the objects a test looks into.
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { resolveOptions, type ClusterOptions, type ClusterOptionsInput } from '../../cdk8s/options.js';
import { StockStreamChart } from '../../cdk8s/stock-stream-chart.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // The manifests' bodies are checked field by field in the tests.
  spec?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
}

export interface Synth {
  readonly options: ClusterOptions;
  readonly yaml: string;
  readonly objects: K8sObject[];
  find(kind: string, name: string): K8sObject | undefined;
  get(kind: string, name: string): K8sObject;
  all(kind: string): K8sObject[];
}

/** The option sets a k3s user picks from: 1 Pi, 3 Pis, 5 Pis without privilege, and Kafka/Redis outside.
 *  The golden files (test/cdk8s/golden/<name>.k8s.yaml) and the schema test cover each of them. */
export const OPTION_SETS: Readonly<Record<string, ClusterOptionsInput>> = {
  'one-pi': {},
  'three-pis': { nodes: 3 },
  'five-pis-device-plugin': {
    nodes: 5,
    edge: { deviceAccess: 'device-plugin', i2cGroupId: 994, gpioGroupId: 993 },
    ingress: { host: 'stocks.home.lan' },
    kafka: { partitions: 6, storage: '20Gi' },
    config: { symbols: ['BTC-USD', 'ETH-USD'], mqtt: { url: 'mqtt://homeassistant.lan:1883', username: 'stock-stream' } },
  },
  external: {
    nodes: 2,
    kafka: { external: ['kafka-a.lan:9092', 'kafka-b.lan:9092'], replicationFactor: 2 },
    redis: { external: 'redis://nas.lan:6379/2' },
  },
};

export function synth(input: ClusterOptionsInput = {}): Synth {
  const options = resolveOptions(input);
  const app = new App({ outdir: '/nonexistent-never-written' });
  new StockStreamChart(app, 'stock-stream', options);
  const yaml = app.synthYaml();
  const objects = parseAllDocuments(yaml).map((doc) => doc.toJS() as K8sObject);
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  return {
    options,
    yaml,
    objects,
    find,
    get(kind, name) {
      const found = find(kind, name);
      if (!found) throw new Error(`no ${kind} ${name} in the manifests`);
      return found;
    },
    all: (kind) => objects.filter((o) => o.kind === kind),
  };
}

/** The config.yaml the ConfigMap carries. */
export function configYaml(s: Synth): string {
  const text = s.get('ConfigMap', 'stock-stream-config').data?.['config.yaml'];
  if (text === undefined) throw new Error('the ConfigMap has no config.yaml');
  return text;
}

/** The pod template of a workload (Deployment, StatefulSet, Job). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function podSpec(object: K8sObject): Record<string, any> {
  return object.spec!.template.spec;
}

export function workloads(s: Synth): K8sObject[] {
  return s.objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
}

/** KAFKA_FOO_BAR=1 -> foo.bar=1, as the apache/kafka image writes server.properties ("__" is "_", "___" is "-"). */
export function kafkaPropertiesFromEnv(env: ReadonlyArray<{ name: string; value?: string }>, values: Record<string, string>): string[] {
  const excluded = new Set([
    'KAFKA_HEAP_OPTS',
    'KAFKA_OPTS',
    'KAFKA_JMX_OPTS',
    'KAFKA_JVM_PERFORMANCE_OPTS',
    'KAFKA_LOG4J_OPTS',
    'KAFKA_GC_LOG_OPTS',
  ]);
  const resolved = new Map<string, string>();
  const lines: string[] = [];
  for (const variable of env) {
    const value = (variable.value ?? values[variable.name] ?? '').replace(
      /\$\(([A-Z_]+)\)/g,
      (_, name: string) => resolved.get(name) ?? '',
    );
    resolved.set(variable.name, value);
    if (!variable.name.startsWith('KAFKA_') || excluded.has(variable.name)) continue;
    const key = variable.name
      .slice('KAFKA_'.length)
      .toLowerCase()
      .split('___')
      .map((dashed) =>
        dashed
          .split('__')
          .map((part) => part.replace(/_/g, '.'))
          .join('_'),
      )
      .join('-');
    lines.push(`${key}=${value}`);
  }
  return lines;
}
