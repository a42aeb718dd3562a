// Who may reach what in the synthesized manifests: SASL/SCRAM on Kafka's client listener, requirepass on
// Redis, both from the user's Secret, and NetworkPolicies that admit only the pods that need a port.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { contains } from '../../cdk8s/network-policies.js';
import { ConfigSchema } from '../../platform/config/schema.js';
import { configYaml, OPTION_SETS, podSpec, synth, type K8sObject, type Synth } from '../support/manifests.js';

const onePi = synth(OPTION_SETS['one-pi']!);
const threePis = synth(OPTION_SETS['three-pis']!);
const external = synth(OPTION_SETS['external']!);

const envOf = (container: { env: Array<{ name: string; value?: string; valueFrom?: unknown }> }) =>
  new Map(container.env.map((variable) => [variable.name, variable]));

/** The components (roles) a policy's rule admits, by its In expression, and the other pods by name label. */
interface Peer {
  podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; values: string[] }> };
  namespaceSelector?: { matchLabels: Record<string, string> };
  ipBlock?: { cidr: string; except?: string[] };
}

function admitted(rule: { from: Peer[] }): string[] {
  return rule.from.flatMap((peer) => {
    const expression = peer.podSelector?.matchExpressions?.find((e) => e.key === 'app.kubernetes.io/component');
    if (expression) return expression.values.map((role) => `role:${role}`);
    const name = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'];
    if (name) return [`pod:${name}`];
    if (peer.namespaceSelector) return [`namespace:${peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name']}`];
    return [`cidr:${peer.ipBlock!.cidr}${peer.ipBlock!.except ? ` except ${peer.ipBlock!.except.join(',')}` : ''}`];
  });
}
const ports = (rule: { ports: Array<{ port: number | string; protocol: string }> }) => rule.ports.map((p) => `${p.protocol}/${p.port}`);
const policy = (s: Synth, name: string): K8sObject => s.get('NetworkPolicy', `${name}-ingress`);

test('Kafka: the client listener wants SASL/SCRAM-SHA-512, the brokers log in to each other from a JAAS file the init container writes', () => {
  for (const s of [onePi, threePis]) {
    const spec = podSpec(s.get('StatefulSet', 'kafka'));
    const env = envOf(spec.containers[0]);
    const value = (name: string) => (env.get(name) as { value?: string } | undefined)?.value;
    assert.is(value('KAFKA_LISTENER_SECURITY_PROTOCOL_MAP'), 'CONTROLLER:PLAINTEXT,CLIENT:SASL_PLAINTEXT');
    assert.is(value('KAFKA_INTER_BROKER_LISTENER_NAME'), 'CLIENT');
    assert.is(value('KAFKA_SASL_ENABLED_MECHANISMS'), 'SCRAM-SHA-512');
    assert.is(value('KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL'), 'SCRAM-SHA-512');
    assert.is(value('KAFKA_OPTS'), '-Djava.security.auth.login.config=/etc/kafka/jaas/server-jaas.conf');
    // The broker's own container never sees a password: only the init container reads the Secret.
    assert.ok([...env.values()].every((variable) => variable.valueFrom === undefined || 'fieldRef' in (variable.valueFrom as object)));
    const [init] = spec.initContainers;
    assert.is(init.name, 'scram-users');
    const secrets = init.env.filter((v: { valueFrom?: { secretKeyRef?: unknown } }) => v.valueFrom?.secretKeyRef);
    assert.equal(
      secrets.map((v: { valueFrom: { secretKeyRef: { key: string } } }) => v.valueFrom.secretKeyRef.key),
      ['kafka-broker-password', 'kafka-sasl-password'],
    );
    const script: string = init.command[2];
    assert.match(script, /kafka-storage\.sh format --ignore-formatted --cluster-id "\$CLUSTER_ID"/);
    assert.match(script, /--add-scram "SCRAM-SHA-512=\[name=kafka-broker,password=\$KAFKA_BROKER_PASSWORD\]"/);
    assert.match(script, /--add-scram "SCRAM-SHA-512=\[name=stock-stream,password=\$KAFKA_SASL_PASSWORD\]"/);
    // The JAAS file lives in memory, shared by the two containers, read-only for the broker.
    assert.equal(
      spec.volumes.find((v: { name: string }) => v.name === 'jaas'),
      { name: 'jaas', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    );
    assert.ok(spec.containers[0].volumeMounts.some((m: { name: string; readOnly?: boolean }) => m.name === 'jaas' && m.readOnly));
  }
});

test('the roles log in as the configured user: config.yaml names it and the mechanism, the Secret brings the password', () => {
  const config = ConfigSchema.parse(parseYaml(configYaml(onePi)));
  assert.equal(config.kafka.sasl, { mechanism: 'scram-sha-512', username: 'stock-stream' });
  const other = synth({ kafka: { auth: 'scram-sha-256', username: 'pi-roles' } });
  assert.equal(ConfigSchema.parse(parseYaml(configYaml(other))).kafka.sasl, { mechanism: 'scram-sha-256', username: 'pi-roles' });
  assert.match(podSpec(other.get('StatefulSet', 'kafka')).initContainers[0].command[2], /SCRAM-SHA-256=\[name=pi-roles,/);
  // The topics Job logs in too, from a client file it writes at run time.
  const job = podSpec(onePi.all('Job')[0]!).containers[0];
  assert.match(job.command[2], /sasl\.mechanism=SCRAM-SHA-512\\nsasl\.jaas\.config=.*username="stock-stream" password="%s"/);
  assert.match(job.command[2], /kafka-topics\.sh --command-config \/tmp\/client\.properties --bootstrap-server/);
  assert.is(envOf(job).get('KAFKA_SASL_PASSWORD')!.valueFrom !== undefined, true);
});

test('kafka.auth none: a plaintext listener, no init container, no SASL in config.yaml; external Kafka defaults to none', () => {
  const plain = synth({ kafka: { auth: 'none' } });
  const spec = podSpec(plain.get('StatefulSet', 'kafka'));
  assert.is(spec.initContainers, undefined);
  assert.is(envOf(spec.containers[0]).get('KAFKA_LISTENER_SECURITY_PROTOCOL_MAP')!.value, 'CONTROLLER:PLAINTEXT,CLIENT:PLAINTEXT');
  assert.equal(ConfigSchema.parse(parseYaml(configYaml(plain))).kafka.sasl, { mechanism: 'scram-sha-512' });
  assert.not.match(podSpec(plain.all('Job')[0]!).containers[0].command[2], /command-config/);
  assert.equal(ConfigSchema.parse(parseYaml(configYaml(external))).kafka.sasl, { mechanism: 'scram-sha-512' });
  const externalScram = synth({ ...OPTION_SETS['external']!, kafka: { external: ['k.lan:9092'], auth: 'scram-sha-512' } });
  assert.is(ConfigSchema.parse(parseYaml(configYaml(externalScram))).kafka.sasl.username, 'stock-stream');
});

test('Redis: requirepass from the Secret, expanded by the kubelet; the probes authenticate through REDISCLI_AUTH', () => {
  const redis = podSpec(onePi.get('StatefulSet', 'redis')).containers[0];
  const args: string[] = redis.args;
  assert.is(args[args.indexOf('--requirepass') + 1], '$(REDIS_PASSWORD)');
  const env = envOf(redis);
  assert.equal(env.get('REDIS_PASSWORD')!.valueFrom, {
    secretKeyRef: { name: 'stock-stream-secrets', key: 'redis-password', optional: false },
  });
  assert.equal((env.get('REDISCLI_AUTH')!.valueFrom as { secretKeyRef: { key: string } }).secretKeyRef.key, 'redis-password');
  assert.ok(env.has('REDIS_PASSWORD') && args.indexOf('--requirepass') >= 0, 'the password is defined for $(...) to expand');
  const open = podSpec(synth({ redis: { requirePassword: false } }).get('StatefulSet', 'redis')).containers[0];
  assert.not.ok(open.args.includes('--requirepass'));
  assert.is(open.env, undefined);
});

test('NetworkPolicy: Kafka admits the roles on the bus, the topics Job and the brokers; its controller port only the brokers', () => {
  for (const s of [onePi, threePis]) {
    const kafka = policy(s, 'kafka');
    assert.equal(kafka.spec!.podSelector, {
      matchLabels: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/part-of': 'stock-stream' },
    });
    assert.equal(kafka.spec!.policyTypes, ['Ingress']);
    const [client, controller] = kafka.spec!.ingress;
    assert.equal(ports(client), ['TCP/9092']);
    assert.equal(admitted(client), [
      'role:ingest',
      'role:process',
      'role:aggregate',
      'role:notify',
      'role:web',
      'role:edge',
      'pod:kafka-topics',
      'pod:kafka',
    ]);
    assert.equal(ports(controller), ['TCP/9093']);
    assert.equal(admitted(controller), ['pod:kafka']);
  }
  // The selectors pick the pods the chart labels so: each role's pod template carries its component.
  for (const role of ['ingest', 'process', 'aggregate', 'notify', 'web', 'edge']) {
    const labels = onePi.get('Deployment', `stock-stream-${role}`).spec!.template.metadata.labels;
    assert.is(labels['app.kubernetes.io/component'], role);
    assert.is(labels['app.kubernetes.io/part-of'], 'stock-stream');
  }
  assert.equal(onePi.all('Job')[0]!.spec!.template.metadata.labels['app.kubernetes.io/name'], 'kafka-topics');
  // A role left out is not admitted.
  assert.not.ok(admitted(policy(synth({ roles: ['ingest', 'process'] }), 'kafka').spec!.ingress[0]).includes('role:web'));
});

test('NetworkPolicy: Redis admits only aggregate, notify and web', () => {
  const redis = policy(onePi, 'redis');
  assert.equal(redis.spec!.podSelector.matchLabels['app.kubernetes.io/name'], 'redis');
  assert.is(redis.spec!.ingress.length, 1);
  assert.equal(ports(redis.spec!.ingress[0]), ['TCP/6379']);
  assert.equal(admitted(redis.spec!.ingress[0]), ['role:aggregate', 'role:notify', 'role:web']);
  // Without those roles nobody may reach it (an empty ingress list admits nothing).
  assert.equal(policy(synth({ roles: ['ingest', 'process'] }), 'redis').spec!.ingress, []);
});

test('NetworkPolicy: the dashboard port admits the LAN (less the pod network) and the ingress controller', () => {
  const web = policy(onePi, 'stock-stream-web');
  assert.equal(web.spec!.podSelector.matchLabels, {
    'app.kubernetes.io/name': 'stock-stream-web',
    'app.kubernetes.io/part-of': 'stock-stream',
    'app.kubernetes.io/component': 'web',
  });
  assert.equal(ports(web.spec!.ingress[0]), ['TCP/http']);
  assert.equal(admitted(web.spec!.ingress[0]), [
    'namespace:kube-system',
    'cidr:10.0.0.0/8 except 10.42.0.0/16',
    'cidr:172.16.0.0/12',
    'cidr:192.168.0.0/16',
  ]);
  const home = policy(synth({ network: { lanCidrs: ['192.168.1.0/24'] } }), 'stock-stream-web');
  assert.equal(admitted(home.spec!.ingress[0]), ['namespace:kube-system', 'cidr:192.168.1.0/24']);
  // The named port is the one the web container serves.
  const container = podSpec(onePi.get('Deployment', 'stock-stream-web')).containers[0];
  assert.ok(container.ports.some((p: { name: string }) => p.name === 'http'));
});

test('NetworkPolicy: none for an external Kafka or Redis (not our pods); network.policies false leaves them all out', () => {
  assert.equal(
    external.all('NetworkPolicy').map((o) => o.metadata.name),
    ['stock-stream-web-ingress'],
  );
  assert.is(synth({ network: { policies: false } }).all('NetworkPolicy').length, 0);
  assert.throws(() => synth({ network: { lanCidrs: ['192.168.1.0'] } }), /network\.lanCidrs\.0: must be an IPv4 CIDR/);
});

test('contains(): IPv4 ranges inside ranges', () => {
  assert.ok(contains('10.0.0.0/8', '10.42.0.0/16'));
  assert.not.ok(contains('192.168.0.0/16', '10.42.0.0/16'));
  assert.not.ok(contains('10.42.0.0/16', '10.0.0.0/8'), 'a wider range is not inside a narrower one');
  assert.ok(contains('0.0.0.0/0', '10.42.0.0/16'));
});

test.run();
